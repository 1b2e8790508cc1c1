/** Freeing the space the cache duplicates of other apps' files: the exact plan, then only on confirmation. */
import { useState } from 'react';
import { APP_NAMES } from '../../../src-main/contract/apps';
import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { useReclaim, useReclaimPlan } from '../../api/apps';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Switch } from '../../components/ui/switch';

/** Duplicated bytes: the plan first (exact bytes, what changes), then only on confirmation. */
export function Reclaim() {
  const plan = useReclaimPlan();
  const run = useReclaim();
  const [allowLink, setAllowLink] = useState(false);
  if (run.data)
    return (
      <div className="text-xs" data-testid="reclaimed">
        <p className="text-success">Freed {formatBytes(run.data.freed)}.</p>
        {run.data.notes.map((n) => (
          <p key={n} className="mt-1 text-muted-foreground">
            {n}
          </p>
        ))}
      </div>
    );
  if (!plan.data)
    return (
      <Button size="sm" variant="outline" onClick={() => plan.mutate()} disabled={plan.isPending}>
        Free duplicated space…
      </Button>
    );
  return (
    <div className="w-full rounded-md border border-border bg-muted/40 p-3 text-xs" data-testid="reclaim-plan">
      {plan.data.steps.length ? (
        <>
          <p>
            Frees {formatBytes(plan.data.bytes)}: the Hugging Face cache’s copy of {plural(plan.data.steps.length, 'file')} will share the bytes of the same
            file in {[...new Set(plan.data.steps.map((s) => APP_NAMES[s.app]))].join(', ')}.
          </p>
          <p className="mt-1 text-muted-foreground">
            By copy-on-write clone, where the disk can: the copies stay independent. Nothing in other apps’ folders is changed.
          </p>
          <label className="mt-2 flex items-start gap-2">
            <Switch checked={allowLink} onCheckedChange={setAllowLink} aria-label="Allow hard links" />
            <span>
              Where the disk cannot clone, share by hard link.{' '}
              <span className="text-warning">
                Then the cache and the app share the same bytes: if the app rewrites its file in place, the cached model changes too.
              </span>
            </span>
          </label>
          <div className="mt-2 flex gap-2">
            <Button size="sm" variant="primary" onClick={() => run.mutate({ allowLink })} disabled={run.isPending}>
              Free {formatBytes(plan.data.bytes)}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => plan.reset()}>
              Cancel
            </Button>
          </div>
        </>
      ) : (
        <p>Nothing Hubcap can free by itself: the cache holds none of these files on the same drive.</p>
      )}
      {plan.data.notes.map((n) => (
        <p key={n} className="mt-1 text-muted-foreground">
          {n}
        </p>
      ))}
      {run.error ? <ErrorNotice error={run.error} /> : null}
    </div>
  );
}
