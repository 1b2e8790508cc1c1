import { ArrowUpCircle, RefreshCw } from 'lucide-react';
import { formatAgo, plural } from '../../../src-main/contract/present/format';
import { hasUpdate } from '../../../src-main/contract/present/updates';
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
      {check.error ? (
        <CardBody>
          <ErrorNotice error={check.error} />
        </CardBody>
      ) : null}
    </Card>
  );
}
