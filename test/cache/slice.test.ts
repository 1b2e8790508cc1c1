/**
 * The cache slice wires what it declares: built from fakes of its needs (no Core), its handlers
 * refuse to delete the revision the inference service runs, and reach the download engine and
 * the export records through the names it declared.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheSlice, type CacheNeeds } from '../../src-main/cache/slice';
import type { DownloadJob } from '../../src-main/contract/downloads';
import type { HfEnv } from '../../src-main/hub/hf-env';
import type { HubHttp } from '../../src-main/hub/http';
import { A, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

const FOLDER = 'models--org--llm';

function needs(dir: string, loadedPath: () => string | null): CacheNeeds {
  return {
    options: { dataDir: tmpDir(), env: {}, cacheDirOverride: dir },
    hf: { shell: '/bin/sh' } as HfEnv,
    settings: {
      cacheDir: () => {
        throw new Error('the override wins');
      },
      update: () => {
        throw new Error('not in this test');
      },
    },
    hub: { http: { isOffline: () => true } as unknown as HubHttp },
    downloads: { activeSnapshotDirs: () => [], add: () => ({}) as DownloadJob, list: () => [] },
    exports: { outsideUses: () => [], cacheMoved: async () => ({ repointed: 0, failed: [] }) },
    inference: {
      status: () => {
        const p = loadedPath();
        return { model: p ? { path: p, name: 'LLM Q4' } : null };
      },
    },
  };
}

describe('the cache slice', () => {
  it('takes the CLI override as the cache folder, and refuses to delete what the loaded model runs from', async () => {
    const dir = tmpDir();
    writePythonRevision(dir, FOLDER, A, [{ path: 'model.gguf', data: Buffer.alloc(100, 1), lfs: true }], { refs: ['main'] });
    let loaded: string | null = path.join(dir, FOLDER, 'snapshots', A, 'model.gguf');
    const n = needs(dir, () => loaded);
    const index = cacheSlice.create(n);
    expect(index.root).toBe(dir);
    const h = cacheSlice.handlers?.(index, n);
    if (!h) throw new Error('the cache slice has handlers');
    const targets = [{ kind: 'revision' as const, repo: 'model:org/llm', commit: A }];
    expect((await h['cache.planDelete']({ targets })).loaded).toEqual([{ name: 'LLM Q4', revision: 'org/llm@main' }]);
    await expect(h['cache.delete']({ targets })).rejects.toMatchObject({ code: 'BUSY' });
    loaded = null;
    await h['cache.delete']({ targets });
    expect(index.scan(true).repos.flatMap((r) => r.revisions)).toEqual([]);
  });
});
