import { ArrowUpCircle, RefreshCw } from 'lucide-react';
import { formatAgo, plural } from '../../../src-main/contract/present/format';
import { hasUpdate } from '../../../src-main/contract/present/updates';
import { APP_NAMES } from '../../../src-main/contract/apps';
import { useCheckUpdates, useUpdates } from '../../api/updates';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { cn } from '../../lib/cn';

/** Whether cached models changed on the Hub: when it was last asked, how many have an update, and "Check now". */
export function UpdatesCard() {
  const updates = useUpdates();
  const check = useCheckUpdates();
  const view = updates.data;
  if (!view) return updates.error ? <ErrorNotice error={updates.error} /> : null;
  const available = view.repos.filter(hasUpdate).length;
  // Other apps' files whose Hub origin is known and that differ from it now (never touched by Hubcap).
  const elsewhere = view.found.filter((f) => f.state !== 'up-to-date');
  const busy = view.checking || check.isPending;
  return (
    <Card data-testid="updates-card">
      <CardHeader
        icon={<ArrowUpCircle />}
        title={available ? `${plural(available, 'model')} with an update` : 'Model updates'}
        description={
          view.offline
            ? 'Offline mode is on: Hubcap does not ask the Hub. The last check is shown.'
            : `Last checked ${view.lastCheckedAt ? formatAgo(view.lastCheckedAt) : 'never'}${view.daily ? ' · checked daily' : ''}. One light request per repo; the token only for repos that need it.`
        }
        actions={
          <Button onClick={() => check.mutate(undefined)} disabled={busy || view.offline}>
            <RefreshCw className={cn(busy && 'animate-spin')} />
            {busy ? 'Checking…' : 'Check for updates'}
          </Button>
        }
      />
      {check.error || elsewhere.length ? (
        <CardBody>
          {check.error ? <ErrorNotice error={check.error} /> : null}
          {elsewhere.length ? (
            <ul className="space-y-1 text-sm" aria-label="Models in other apps' folders" data-testid="found-updates">
              {elsewhere.map((f) => (
                <li key={f.path}>
                  <span className="font-medium">{APP_NAMES[f.app]}</span>: <span className="break-all font-mono text-xs">{f.path}</span>
                  <span className="block text-xs text-muted-foreground">{f.message}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </CardBody>
      ) : null}
    </Card>
  );
}
