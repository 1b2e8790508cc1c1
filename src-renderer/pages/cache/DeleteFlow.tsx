import { useState } from 'react';
import { Trash2 } from 'lucide-react';
import type { DeletePlanView, DeleteTargetInput } from '../../../src-main/contract/cache';
import { formatBytes } from '../../../src-main/contract/present/format';
import { useDeleteFromCache, useDeletePlan } from '../../api/cache';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';

export type AskDelete = (targets: DeleteTargetInput[], what: string) => void;

function PlanPreview({ plan }: { plan: DeletePlanView }) {
  return (
    <div className="space-y-2" data-testid="delete-plan">
      <p className="text-2xl font-semibold">{formatBytes(plan.freedBytes)} freed</p>
      <ul className="max-h-48 space-y-1 overflow-y-auto text-sm">
        {plan.summary.map((s) => (
          <li key={s.label} className="flex justify-between gap-4">
            <span className="truncate font-mono">{s.label}</span>
            <span className="shrink-0 text-muted-foreground">{formatBytes(s.bytes)}</span>
          </li>
        ))}
      </ul>
      {plan.usedElsewhere?.map((u) => (
        <p key={u.label} className={u.symlinks ? 'text-sm text-warning' : 'text-sm text-muted-foreground'} data-testid="delete-used-elsewhere">
          Also used in {u.label}: {u.files === 1 ? 'one file' : `${u.files} files`}
          {u.symlinks ? `, ${u.symlinks === 1 ? 'a link' : `${u.symlinks} links`} into the cache that will stop working.` : ', its own copies, which stay.'}
        </p>
      ))}
      {plan.loaded?.map((m) => (
        <p key={m.name} className="text-sm text-warning" data-testid="delete-loaded">
          {m.name} is loaded from {m.revision}: unload it first, then delete.
        </p>
      ))}
    </div>
  );
}

/** Plan first, show exactly what it frees, then delete on confirmation. */
export function useDeleteFlow(): { ask: AskDelete; dialog: React.ReactNode } {
  const [targets, setTargets] = useState<DeleteTargetInput[] | null>(null);
  const [title, setTitle] = useState('');
  const plan = useDeletePlan();
  const run = useDeleteFromCache();
  const ask: AskDelete = (t, what) => {
    setTargets(t);
    setTitle(what);
    run.reset();
    plan.mutate(t);
  };
  const dialog = (
    <Dialog
      open={targets !== null}
      onOpenChange={(o) => !o && setTargets(null)}
      title={title}
      description="Nothing outside the cache is touched; blobs still used by other revisions are kept."
    >
      {plan.error ? <ErrorNotice error={plan.error} /> : null}
      {plan.data ? <PlanPreview plan={plan.data} /> : <p className="text-sm text-muted-foreground">Working out what this frees…</p>}
      {run.error ? <ErrorNotice error={run.error} className="mt-3" /> : null}
      <div className="mt-5 flex justify-end gap-2">
        <Button onClick={() => setTargets(null)}>Keep</Button>
        <Button variant="danger" disabled={!plan.data || run.isPending} onClick={() => targets && run.mutate(targets, { onSuccess: () => setTargets(null) })}>
          <Trash2 />
          Delete {plan.data ? formatBytes(plan.data.freedBytes) : ''}
        </Button>
      </div>
    </Dialog>
  );
  return { ask, dialog };
}
