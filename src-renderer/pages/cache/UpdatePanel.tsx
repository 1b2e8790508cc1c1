import { useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { useQueryClient } from '@tanstack/react-query';
import { ArrowUpCircle, Pin, PinOff, Trash2 } from 'lucide-react';
import type { BranchStatus, RepoUpdates } from '../../../src-main/contract/updates';
import { formatAgo, formatBytes } from '../../../src-main/contract/present/format';
import { hasUpdate } from '../../../src-main/contract/present/updates';
import { useApplyUpdate, usePinRepo, usePlanRemovePrevious, useRemovePrevious, useUpdateDetails } from '../../api/updates';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { WhatChanged } from './WhatChanged';

const STATE_TEXT: Record<BranchStatus['state'], { label: string; tone: 'neutral' | 'primary' | 'success' | 'warning' | 'danger' }> = {
  'up-to-date': { label: 'Up to date', tone: 'success' },
  available: { label: 'Update available', tone: 'primary' },
  diverged: { label: 'Force-pushed', tone: 'warning' },
  'branch-gone': { label: 'Branch deleted', tone: 'warning' },
  gone: { label: 'Gone from the Hub', tone: 'danger' },
  gated: { label: 'Now gated', tone: 'warning' },
  'rate-limited': { label: 'Not checked', tone: 'neutral' },
  error: { label: 'Not checked', tone: 'neutral' },
};

/** One previous revision, removable with the exact bytes it frees (the cache's delete plan). */
function PreviousRevision({ repo, commit }: { repo: string; commit: string }) {
  const [asking, setAsking] = useState(false);
  const plan = usePlanRemovePrevious(repo, commit, asking);
  const remove = useRemovePrevious();
  return (
    <li className="flex flex-wrap items-center gap-2 text-sm">
      <span>
        Previous revision <code className="text-xs">{commit.slice(0, 8)}</code> is kept.
      </span>
      {asking && plan.data ? (
        <Button size="sm" variant="danger" disabled={remove.isPending} onClick={() => remove.mutate({ repo, commit })}>
          <Trash2 /> Remove it: frees {formatBytes(plan.data.freedBytes)}
        </Button>
      ) : (
        <Button size="sm" variant="outline" onClick={() => setAsking(true)} disabled={asking}>
          <Trash2 /> Remove previous revision…
        </Button>
      )}
      {plan.error ? <ErrorNotice error={plan.error} /> : null}
      {remove.error ? <ErrorNotice error={remove.error} /> : null}
    </li>
  );
}

/** A repo's updates: each followed branch's state, what changed, Update / Pin, and the previous revision. */
export function UpdatePanel({ status }: { status: RepoUpdates }) {
  const [open, setOpen] = useState(false);
  const moved = status.branches.find((b) => b.state === 'available' || b.state === 'diverged');
  const details = useUpdateDetails(status.repo, moved?.branch, open && Boolean(moved) && !status.running);
  const apply = useApplyUpdate();
  const pin = usePinRepo();
  const client = useQueryClient();
  // When an update ends, the cache changed under the page: its ref moved, a revision appeared.
  const wasRunning = useRef(status.running !== null);
  useEffect(() => {
    if (wasRunning.current && !status.running) void client.invalidateQueries({ queryKey: ['cache.scan'] });
    wasRunning.current = status.running !== null;
  }, [status.running, client]);
  return (
    <section className="space-y-3 rounded-lg border border-border p-3" aria-label="Updates" data-testid="update-panel">
      <div className="flex flex-wrap items-center gap-2">
        <ArrowUpCircle className="size-4 text-muted-foreground" aria-hidden />
        <h3 className="text-sm font-medium">Updates</h3>
        <span className="text-xs text-muted-foreground">{status.checkedAt ? `checked ${formatAgo(status.checkedAt)}` : 'not checked yet'}</span>
        <div className="ml-auto">
          {status.pinned ? (
            <Button size="sm" variant="ghost" onClick={() => pin.mutate({ repo: status.repo, pinned: false })} disabled={pin.isPending}>
              <PinOff /> Unpin
            </Button>
          ) : (
            <Button size="sm" variant="ghost" onClick={() => pin.mutate({ repo: status.repo, pinned: true })} disabled={pin.isPending}>
              <Pin /> Pin this revision
            </Button>
          )}
        </div>
      </div>
      {status.pinned ? (
        <p className="text-sm" data-testid="pinned">
          Pinned at <code className="text-xs">{status.pinned.slice(0, 8)}</code>: no updates are offered.
        </p>
      ) : (
        <ul className="space-y-1">
          {status.branches.map((b) => (
            <li key={b.branch} className="flex flex-wrap items-center gap-2 text-sm">
              <code className="text-xs">{b.branch}</code>
              <Badge tone={STATE_TEXT[b.state].tone} data-testid={`branch-state-${b.branch}`}>
                {STATE_TEXT[b.state].label}
              </Badge>
              <span className="text-xs text-muted-foreground">
                {b.cachedCommit.slice(0, 8)}
                {b.headCommit && b.headCommit !== b.cachedCommit ? ` → ${b.headCommit.slice(0, 8)}` : ''}
              </span>
              {b.message ? <span className="w-full text-xs text-muted-foreground">{b.message}</span> : null}
            </li>
          ))}
          {status.notFollowed.map((n) => (
            <li key={n} className="text-xs text-muted-foreground">
              Not followed: {n}.
            </li>
          ))}
        </ul>
      )}
      {status.running ? (
        <p className="text-sm" role="status">
          Updating {status.running.branch} to <code className="text-xs">{status.running.to.slice(0, 8)}</code>… (see{' '}
          <Link href="/downloads" className="underline">
            Downloads
          </Link>
          ). Until it is done, {status.running.branch} still points at the revision you have.
        </p>
      ) : null}
      {status.lastError ? <p className="text-sm text-warning">{status.lastError}</p> : null}
      {hasUpdate(status) && !status.running ? (
        <div className="space-y-2">
          {!open ? (
            <Button size="sm" variant="outline" onClick={() => setOpen(true)}>
              What changed?
            </Button>
          ) : null}
          {details.isLoading ? <p className="text-sm text-muted-foreground">Reading the new revision from the Hub…</p> : null}
          {details.error ? <ErrorNotice error={details.error} /> : null}
          {details.data ? <WhatChanged details={details.data} /> : null}
          {details.data ? (
            <Button
              size="sm"
              variant={details.data.diverged ? 'danger' : 'primary'}
              disabled={apply.isPending}
              onClick={() => apply.mutate({ repo: status.repo, branch: details.data.branch, allowDiverged: details.data.diverged })}
            >
              <ArrowUpCircle /> {details.data.diverged ? 'Update anyway (replaces history)' : 'Update'}
            </Button>
          ) : null}
          {apply.error ? <ErrorNotice error={apply.error} /> : null}
        </div>
      ) : null}
      {status.previous.length ? (
        <ul className="space-y-1 border-t border-border pt-2">
          {status.previous.map((c) => (
            <PreviousRevision key={c} repo={status.repo} commit={c} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
