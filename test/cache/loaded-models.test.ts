/**
 * A model loaded now (Chat, the Local API) runs from a revision of the cache: deleting that
 * revision (or its repo) is previewed with the model named and refused until it is unloaded; a
 * revision it does not use is deleted as before, a prune keeps the loaded one, and a blob the
 * loaded file shares with a revision that stays is no reason to refuse.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HubHttp } from '../../src-main/hub/http';
import { cacheHandlers } from '../../src-main/cache/handlers';
import { CacheIndex } from '../../src-main/cache/index';
import type { LoadedFile } from '../../src-main/cache/loaded-models';
import { scanCache } from '../../src-main/cache/scan';
import { planDelete } from '../../src-main/cache/service';
import { loadedModelFiles, type InferenceStatus } from '../../src-main/contract/inference';
import { A, B, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

const FOLDER = 'models--org--llm';
const REPO = 'model:org/llm';

/** org/llm: A (ref v1) and B (ref main) share config.json; each has its own weights. */
function cache(): string {
  const dir = tmpDir();
  const shared = { path: 'config.json', data: '{"a":1}' };
  writePythonRevision(dir, FOLDER, A, [shared, { path: 'model.gguf', data: Buffer.alloc(1000, 1), lfs: true }], { refs: ['v1'] });
  writePythonRevision(dir, FOLDER, B, [shared, { path: 'model.gguf', data: Buffer.alloc(2000, 2), lfs: true }], { refs: ['main'] });
  return dir;
}

/** The cache handlers with a fake engine whose loaded model can change between calls. */
function handlersOver(dir: string, loaded: () => LoadedFile[]) {
  return cacheHandlers({
    index: new CacheIndex(() => dir),
    activeSnapshots: () => [],
    // Neither is reached by a delete: no Hub is asked, no download started.
    hub: { isOffline: () => true } as unknown as HubHttp,
    download: () => {
      throw new Error('no download in this test');
    },
    cacheDir: () => dir,
    downloadsRunning: () => false,
    useCacheDir: () => undefined,
    shell: '/bin/sh',
    loadedModels: loaded,
  });
}

const snapshotFile = (dir: string, commit: string) => path.join(dir, FOLDER, 'snapshots', commit, 'model.gguf');

describe('deleting what a loaded model runs from', () => {
  it('names the model in the preview and refuses the delete until it is unloaded', async () => {
    const dir = cache();
    let loaded: LoadedFile[] = [{ path: snapshotFile(dir, A), name: 'LLM Q4' }];
    const h = handlersOver(dir, () => loaded);
    const targets = [{ kind: 'revision' as const, repo: REPO, commit: A }];
    const plan = await h['cache.planDelete']({ targets });
    expect(plan.loaded).toEqual([{ name: 'LLM Q4', revision: 'org/llm@v1' }]);
    await expect(h['cache.delete']({ targets })).rejects.toMatchObject({
      code: 'BUSY',
      message: 'LLM Q4 is loaded (Chat and the Local API run it) from org/llm@v1: nothing was deleted. Unload it first, then delete again.',
    });
    expect(fs.existsSync(snapshotFile(dir, A))).toBe(true);
    // The whole repo holds it too.
    await expect(h['cache.delete']({ targets: [{ kind: 'repo', repo: REPO }] })).rejects.toMatchObject({ code: 'BUSY' });
    // Unloaded: the same delete goes through.
    loaded = [];
    expect((await h['cache.planDelete']({ targets })).loaded).toBeUndefined();
    const done = await h['cache.delete']({ targets });
    expect(done.errors).toEqual([]);
    expect(fs.existsSync(path.join(dir, FOLDER, 'snapshots', A))).toBe(false);
  });

  it('deletes another revision, and finds a model loaded by its blob path', async () => {
    const dir = cache();
    const blob = fs.realpathSync(snapshotFile(dir, B));
    const h = handlersOver(dir, () => [{ path: blob, name: 'LLM main' }]);
    expect((await h['cache.planDelete']({ targets: [{ kind: 'revision', repo: REPO, commit: B }] })).loaded).toEqual([
      { name: 'LLM main', revision: 'org/llm@main' },
    ]);
    const done = await h['cache.delete']({ targets: [{ kind: 'revision', repo: REPO, commit: A }] });
    expect(done.loaded).toBeUndefined();
    expect(fs.existsSync(path.join(dir, FOLDER, 'snapshots', A))).toBe(false);
    expect(fs.readFileSync(blob).length).toBe(2000);
  });

  it('keeps a loaded detached revision out of a prune, and a model outside the cache stops nothing', () => {
    const dir = cache();
    fs.rmSync(path.join(dir, FOLDER, 'refs', 'v1'));
    const scan = scanCache(dir);
    const inUse = { partials: new Set<string>(), snapshots: [] };
    expect(planDelete(scan, [{ kind: 'detached' }], inUse).summary.map((s) => s.label)).toEqual([`org/llm@${A.slice(0, 8)}`]);
    const pruned = planDelete(scan, [{ kind: 'detached' }], { ...inUse, loaded: [{ path: snapshotFile(dir, A), name: 'LLM' }] });
    expect(pruned.summary).toEqual([]);
    expect(pruned.loaded).toBeUndefined();
    const elsewhere = path.join(tmpDir(), 'model.gguf');
    fs.writeFileSync(elsewhere, 'x');
    expect(planDelete(scan, [{ kind: 'repo', repo: REPO }], { ...inUse, loaded: [{ path: elsewhere, name: 'Local' }] }).loaded).toBeUndefined();
  });

  it('refuses a delete while the model is still loading from it, and allows it once inference is idle', async () => {
    const dir = cache();
    const file = snapshotFile(dir, A);
    // The engine's status as the cache reads it, through the same loadedModelFiles the slice wires.
    let status: InferenceStatus = {
      host: 'starting',
      model: null,
      loading: { key: 'hf:org/llm@v1/model.gguf', name: 'LLM Q4', path: file, progress: 0.4 },
      generating: null,
      problem: null,
    };
    const h = handlersOver(dir, () => loadedModelFiles({ status: () => status }));
    const targets = [{ kind: 'revision' as const, repo: REPO, commit: A }];
    expect((await h['cache.planDelete']({ targets })).loaded).toEqual([{ name: 'LLM Q4', revision: 'org/llm@v1' }]);
    await expect(h['cache.delete']({ targets })).rejects.toMatchObject({
      code: 'BUSY',
      message:
        'LLM Q4 is loading (Chat and the Local API will run it) from org/llm@v1: nothing was deleted. Wait for it to load and unload it, then delete again.',
    });
    await expect(h['cache.delete']({ targets: [{ kind: 'repo', repo: REPO }] })).rejects.toMatchObject({ code: 'BUSY' });
    expect(fs.existsSync(file)).toBe(true);
    // Idle (the load failed or was never started): nothing runs from it, the delete goes through.
    status = { ...status, host: 'stopped', loading: null };
    expect((await h['cache.planDelete']({ targets })).loaded).toBeUndefined();
    expect((await h['cache.delete']({ targets })).errors).toEqual([]);
    expect(fs.existsSync(path.join(dir, FOLDER, 'snapshots', A))).toBe(false);
  });
});
