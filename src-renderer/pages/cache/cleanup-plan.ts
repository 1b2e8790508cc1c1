import type { CacheOverview, DeleteTargetInput } from '../../../src-main/contract/cache';
import { formatBytes, plural } from '../../../src-main/contract/present/format';

export interface CleanupPlan {
  targets: DeleteTargetInput[];
  /** "Can go: 2 orphan blobs (3 kB), 1 stale unfinished download (1 MB)." */
  summary: string;
}

/**
 * What a clean-up may take from a scan: orphan blobs, unfinished downloads nobody is writing, and
 * revisions no branch or tag points at, and shared-store payloads no repo links to. An unfinished download in use stays, and the text says so.
 */
export function cleanupPlan(scan: CacheOverview): CleanupPlan {
  const stale = scan.incomplete.filter((f) => !f.active);
  const inUse = scan.incomplete.length - stale.length;
  const detached = scan.repos.flatMap((r) => r.revisions.filter((v) => v.refs.length === 0));
  const targets: DeleteTargetInput[] = [
    ...(scan.orphans.length ? [{ kind: 'orphans' as const }] : []),
    ...(stale.length ? [{ kind: 'incomplete' as const }] : []),
    ...(detached.length ? [{ kind: 'detached' as const }] : []),
    // Shared-store payloads no repo links to (Python's `hf cache prune` collects them too).
    ...(scan.store.unlinked.length ? [{ kind: 'store' as const }] : []),
  ];
  const sum = (list: { size: number }[]) => formatBytes(list.reduce((a, f) => a + f.size, 0));
  const parts = [
    scan.orphans.length ? `${plural(scan.orphans.length, 'orphan blob')} (${sum(scan.orphans)})` : null,
    stale.length ? `${plural(stale.length, 'stale unfinished download')} (${sum(stale)})` : null,
    detached.length ? `${plural(detached.length, 'detached revision')} (no branch or tag points at ${detached.length === 1 ? 'it' : 'them'})` : null,
    scan.store.unlinked.length ? `${plural(scan.store.unlinked.length, 'shared-store payload')} no repo uses (${sum(scan.store.unlinked)})` : null,
  ].filter(Boolean);
  const busy = inUse
    ? ` ${plural(inUse, 'unfinished download')} ${inUse === 1 ? 'is' : 'are'} being written right now and ${inUse === 1 ? 'stays' : 'stay'}.`
    : '';
  return { targets, summary: targets.length ? `Can go: ${parts.join(', ')}.${busy}` : '' };
}
