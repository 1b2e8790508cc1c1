/** What "Clean up" offers: only what nobody uses, said in words, with what stays and why. */
import { describe, expect, it } from 'vitest';
import { cleanupPlan } from '../../../../src-renderer/pages/cache/cleanup-plan';
import { repo, scan } from '../../fixtures';

const loose = (size: number, active = false) => ({ path: `/cache/x/${size}.incomplete`, repo: 'model:acme/tiny', size, lastModified: 0, active });
const rev = (commit: string, refs: string[]) => ({
  commit,
  refs,
  snapshotPath: `/c/snapshots/${commit}`,
  sizeOnDisk: 1,
  uniqueBytes: 1,
  nbFiles: 1,
  lastModified: 0,
});

describe('cleanupPlan', () => {
  it('offers nothing for a clean cache', () => {
    expect(cleanupPlan(scan({ repos: [repo({ revisions: [rev('a'.repeat(40), ['main'])] })] }))).toEqual({ targets: [], summary: '' });
  });

  it('takes orphans, stale partials and detached revisions, and leaves a partial being written', () => {
    const plan = cleanupPlan(
      scan({
        orphans: [loose(1000), loose(500)],
        incomplete: [loose(2000), loose(5, true)],
        repos: [repo({ revisions: [rev('a'.repeat(40), ['main']), rev('b'.repeat(40), [])] })],
      }),
    );
    expect(plan.targets).toEqual([{ kind: 'orphans' }, { kind: 'incomplete' }, { kind: 'detached' }]);
    expect(plan.summary).toBe(
      'Can go: 2 orphan blobs (1.50 kB), 1 stale unfinished download (2.00 kB), 1 detached revision (no branch or tag points at it). 1 unfinished download is being written right now and stays.',
    );
  });

  it('offers no partial while every one is being written', () => {
    const plan = cleanupPlan(scan({ incomplete: [loose(5, true), loose(6, true)] }));
    expect(plan.targets).toEqual([]);
  });
});
