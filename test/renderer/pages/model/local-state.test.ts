import { describe, expect, it } from 'vitest';
import type { CachePresence } from '../../../../src-main/contract/cache';
import type { FileGroup } from '../../../../src-main/contract/model';
import { groupState } from '../../../../src-renderer/pages/model/local-state';
import { job } from '../../fixtures';

const SHA = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const P1 = 'm-Q4_K_M-00001-of-00002.gguf';
const P2 = 'm-Q4_K_M-00002-of-00002.gguf';
const q4: FileGroup = {
  kind: 'gguf',
  label: 'Q4_K_M',
  parts: 2,
  size: 30,
  files: [
    { path: P1, size: 10, lfs: true, etag: 'e1' },
    { path: P2, size: 20, lfs: true, etag: 'e2' },
  ],
};
const presence = (blobs: CachePresence['blobs']): CachePresence => ({ repo: 'acme/m', inCache: true, blobs });

describe('groupState', () => {
  it('says downloaded only when every blob of the group is complete, whichever revision fetched it', () => {
    const half = presence([{ etag: 'e1', size: 10, uses: [{ commit: OLD, path: P1 }] }]);
    expect(groupState(q4, 'acme/m', SHA, half, []).state).toBe('absent');
    const short = presence([
      { etag: 'e1', size: 10, uses: [{ commit: OLD, path: P1 }] },
      { etag: 'e2', size: 19, uses: [{ commit: OLD, path: P2 }] },
    ]);
    expect(groupState(q4, 'acme/m', SHA, short, []).state).toBe('absent');
    const all = presence([
      { etag: 'e1', size: 10, uses: [{ commit: OLD, path: P1 }] },
      { etag: 'e2', size: 20, uses: [{ commit: OLD, path: P2 }] },
    ]);
    // The Library item is the first part at the commit the cache holds it under.
    expect(groupState(q4, 'acme/m', SHA, all, [])).toEqual({ state: 'downloaded', libraryKey: `cache:model:acme/m@${OLD}:${P1}` });
  });

  it('prefers the page’s own commit for the Library key, and gives none for groups that are not GGUF', () => {
    const both = presence([
      {
        etag: 'e1',
        size: 10,
        uses: [
          { commit: OLD, path: P1 },
          { commit: SHA, path: P1 },
        ],
      },
      { etag: 'e2', size: 20, uses: [{ commit: SHA, path: P2 }] },
    ]);
    expect(groupState(q4, 'acme/m', SHA, both, [])).toMatchObject({ libraryKey: expect.stringContaining(SHA) });
    expect(groupState({ ...q4, kind: 'config' }, 'acme/m', SHA, both, [])).toEqual({ state: 'downloaded', libraryKey: null });
  });

  it('shows a running download of the group with its percent, a failed one as failed, and ignores finished or other repos’ jobs', () => {
    const files = q4.files.map((f, i) => ({ ...f, done: i === 0 ? 10 : 5, state: 'downloading' as const }));
    const running = job({ request: { repoType: 'model', repo: 'acme/m', revision: 'main' }, state: 'downloading', files });
    expect(groupState(q4, 'acme/m', SHA, undefined, [running])).toEqual({ state: 'downloading', percent: 50, jobId: running.id });
    const other = job({ request: { repoType: 'model', repo: 'acme/other', revision: 'main' }, state: 'downloading', files });
    const finished = job({ request: { repoType: 'model', repo: 'acme/m', revision: 'main' }, state: 'cancelled', files });
    expect(groupState(q4, 'acme/m', SHA, undefined, [other, finished]).state).toBe('absent');
    // A failure stays with its row (why, and the fix), until a new download of it starts.
    const failed = job({ request: { repoType: 'model', repo: 'acme/m', revision: 'main' }, state: 'error', files });
    expect(groupState(q4, 'acme/m', SHA, undefined, [other, failed])).toEqual({ state: 'failed', jobId: failed.id });
    expect(groupState(q4, 'acme/m', SHA, undefined, [failed, running]).state).toBe('downloading');
  });
});
