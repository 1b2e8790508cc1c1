import { Globe, Info, RefreshCw } from 'lucide-react';
import type { SettingsView } from '../../../src-main/contract/settings';
import { useCheckHub, useHubStatus } from '../../api/hub';
import { useUpdateSettings } from '../../api/settings';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Switch } from '../../components/ui/switch';
import { cn } from '../../lib/cn';

/** The one server Hubcap talks to, whether it answers, and offline mode. */
export function HubCard({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettings();
  const hub = useHubStatus();
  const check = useCheckHub();
  const forced = settings.offline.source === 'HF_HUB_OFFLINE';
  return (
    <Card>
      <CardHeader icon={<Globe />} title="Hub connection" description="The only server Hubcap talks to is the Hub endpoint below." />
      <CardBody>
        <div className="grid grid-cols-[10rem_1fr] items-center gap-y-3 text-sm">
          <span className="text-muted-foreground">Endpoint</span>
          <span className="flex items-center gap-2">
            <code className="font-mono" data-testid="endpoint">
              {settings.endpoint.url}
            </code>
            <Badge>{settings.endpoint.source === 'HF_ENDPOINT' ? 'From HF_ENDPOINT' : 'Default'}</Badge>
          </span>
          <span className="text-muted-foreground">Status</span>
          <span className="flex items-center gap-2">
            <span data-testid="hub-reachability">
              {
                {
                  online: 'Reachable',
                  'server-error': 'Answering with errors',
                  unreachable: 'Unreachable',
                  'offline-mode': 'Not contacted (offline mode)',
                  checking: 'Checking…',
                }[hub.data?.reachability ?? 'checking']
              }
            </span>
            <Button size="sm" variant="ghost" onClick={() => check.mutate()} disabled={check.isPending || settings.offline.enabled}>
              <RefreshCw className={cn(check.isPending && 'animate-spin')} />
              Check now
            </Button>
          </span>
          {hub.data?.detail ? (
            <>
              <span />
              <span className="-mt-2 text-xs text-muted-foreground">{hub.data.detail}</span>
            </>
          ) : null}
        </div>
        <div className="flex items-start justify-between gap-6 rounded-lg border border-border p-4">
          <div>
            <label htmlFor="offline" className="text-sm font-medium">
              Offline mode
            </label>
            <p className="mt-0.5 text-sm text-muted-foreground">
              {forced
                ? 'Forced on by HF_HUB_OFFLINE in the environment. Hubcap makes no network request and uses only what is in the cache.'
                : 'Make no network request at all; use only what is already in the cache (like HF_HUB_OFFLINE=1).'}
            </p>
          </div>
          <Switch
            id="offline"
            checked={settings.offline.enabled}
            disabled={forced || update.isPending}
            onCheckedChange={(offline) => update.mutate({ offline })}
          />
        </div>
        <p className="flex items-start gap-2 text-xs text-muted-foreground">
          <Info className="mt-0.5 size-3.5 shrink-0" aria-hidden />
          Hubcap sends no telemetry. Unasked, it only checks once at start that the endpoint answers (no token, no identifiers); everything else happens when
          you search, download or sign in. HF_ENDPOINT can only be set in the environment, so the UI can never redirect your token elsewhere.
        </p>
        {update.error ? <ErrorNotice error={update.error} /> : null}
      </CardBody>
    </Card>
  );
}
