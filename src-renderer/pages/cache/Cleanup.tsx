import { AlertTriangle, Brush } from 'lucide-react';
import type { CacheOverview } from '../../../src-main/contract/cache';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { cleanupPlan } from './cleanup-plan';
import type { AskDelete } from './DeleteFlow';

/** What can go (orphans, stale unfinished downloads, detached revisions), planned first like a delete. */
export function Cleanup({ scan, ask }: { scan: CacheOverview; ask: AskDelete }) {
  const { targets, summary } = cleanupPlan(scan);
  if (!targets.length && !scan.warnings.length) return null;
  return (
    <Card>
      <CardHeader
        icon={<Brush />}
        title={targets.length ? 'Clean up' : 'Problems found'}
        description={targets.length ? summary : 'Hubcap leaves these alone; they may come from other tools.'}
        actions={
          targets.length ? (
            <Button size="sm" onClick={() => ask(targets, 'Clean up the cache?')}>
              <Brush />
              Clean up…
            </Button>
          ) : undefined
        }
      />
      {scan.warnings.length ? (
        <CardBody>
          <ul className="space-y-1 text-sm" data-testid="cache-warnings">
            {scan.warnings.map((w) => (
              <li key={w.path + w.kind} className="flex items-start gap-2 text-warning">
                <AlertTriangle className="mt-0.5 size-4 shrink-0" />
                {w.message}
              </li>
            ))}
          </ul>
        </CardBody>
      ) : null}
    </Card>
  );
}
