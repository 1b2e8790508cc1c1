import { Link } from 'wouter';
import { CircleDot, CloudAlert, CloudOff, Loader2, Plug, PlugZap, UserRound, WifiOff } from 'lucide-react';
import type { HubStatus } from '../../src-main/contract/hub';
import { useAppInfo } from '../api/app';
import { useConnectionState } from '../api/context';
import { useHubStatus } from '../api/hub';
import { useLocalApi } from '../api/localapi';
import { Tooltip } from '../components/ui/tooltip';
import { cn } from '../lib/cn';
import { plainError } from '../lib/plain-error';

function HubPill({ status }: { status: HubStatus }) {
  const r = status.reachability;
  const look = {
    online: { icon: CircleDot, text: 'Online', cls: 'text-success' },
    'offline-mode': { icon: CloudOff, text: 'Offline', cls: 'text-warning' },
    'server-error': { icon: CloudAlert, text: 'Hub errors', cls: 'text-danger' },
    unreachable: { icon: WifiOff, text: 'Hub unreachable', cls: 'text-danger' },
    checking: { icon: Loader2, text: 'Checking Hub…', cls: 'text-muted-foreground' },
  }[r];
  const Icon = look.icon;
  return (
    <Tooltip content={status.detail ? plainError(new Error(status.detail)).text : `Hub endpoint: ${status.endpoint}`}>
      <span data-testid="status-hub" className={cn('flex items-center gap-1.5', look.cls)}>
        <Icon className={cn('size-3.5', r === 'checking' && 'animate-spin')} aria-hidden />
        {look.text}
      </span>
    </Tooltip>
  );
}

/** While the Local API listens, a chip that says so and opens its page. */
function LocalApiChip() {
  const view = useLocalApi().data;
  if (!view?.running || !view.url) return null;
  return (
    <Link href="/local-api" data-testid="status-local-api" className="flex items-center gap-1.5 text-success hover:text-foreground">
      <PlugZap className="size-3.5" aria-hidden />
      Local API on {new URL(view.url).host}
    </Link>
  );
}

const CONNECTION_TEXT = {
  connecting: 'Connecting to Hubcap…',
  reconnecting: 'Connection lost, reconnecting…',
  restarted: 'Hubcap restarted: open the new address',
} as const;

export function StatusBar() {
  const hub = useHubStatus();
  const info = useAppInfo();
  const connection = useConnectionState();
  const account = hub.data?.account;
  return (
    <footer className="flex h-8 shrink-0 items-center gap-5 border-t border-border bg-sidebar px-4 text-xs text-muted-foreground">
      {/* Nothing until the core has answered (a guess would be wrong in offline mode), and nothing
          the core said before the connection dropped: it may no longer be true. */}
      {hub.data && connection === 'open' ? <HubPill status={hub.data} /> : null}
      {connection !== 'open' ? (
        <span data-testid="status-connection" className={cn('flex items-center gap-1.5', connection === 'restarted' ? 'text-danger' : 'text-warning')}>
          <Plug className="size-3.5" aria-hidden />
          {CONNECTION_TEXT[connection]}
        </span>
      ) : null}
      <span className="flex-1" />
      <LocalApiChip />
      <Link href="/account" data-testid="status-account" className="flex items-center gap-1.5 hover:text-foreground">
        <UserRound className="size-3.5" aria-hidden />
        {account?.signedIn ? `Signed in as ${account.name} (${account.role === 'fineGrained' ? 'fine-grained' : account.role})` : 'Anonymous'}
      </Link>
      {info.data ? (
        <span>
          {info.data.transport === 'serve' ? 'hubcap serve' : 'Desktop'} · v{info.data.versions.app}
        </span>
      ) : null}
    </footer>
  );
}
