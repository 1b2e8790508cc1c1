/**
 * The updates slice from fakes of what it declares it needs: it reaches only the needs it names,
 * its handlers reach its service (status, pins, preferences, the previous-revision plan), the
 * settings' offline switch, the bus, the engine's loaded and loading model, exports and active
 * downloads are the ones it was given, and a download change on the bus reaches the service.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CacheIndex } from '../../src-main/cache/index';
import type { DownloadJob } from '../../src-main/contract/downloads';
import type { InferenceStatus } from '../../src-main/contract/inference';
import type { RepoUpdates, UpdatesView } from '../../src-main/contract/updates';
import { updatesSlice, type UpdatesNeeds } from '../../src-main/updates/slice';
import { built, caller, handlerTable, place, recorded, unused } from '../helpers/fakes';
import { A, B, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

const FOLDER = 'models--org--llm';
const REPO = 'model:org/llm';

/** org/llm in a Python-layout cache: A (no ref, a previous revision) and B (main). */
function cacheWithTwoRevisions(): string {
  const dir = tmpDir();
  writePythonRevision(dir, FOLDER, A, [{ path: 'model.gguf', data: Buffer.alloc(1000, 1), lfs: true }]);
  writePythonRevision(dir, FOLDER, B, [{ path: 'model.gguf', data: Buffer.alloc(2000, 2), lfs: true }], { refs: ['main'] });
  return dir;
}

function setup() {
  const p = place();
  const dir = cacheWithTwoRevisions();
  const offline = { on: false };
  const activeAsked: string[] = [];
  let inference: InferenceStatus = { host: 'stopped', model: null, loading: null, generating: null, problem: null };
  const needs: UpdatesNeeds = {
    options: { dataDir: p.dataDir },
    hf: p.hf,
    events: p.events,
    settings: { isOffline: () => offline.on },
    // No Hub is reached: nothing here checks online.
    hub: { http: { fetch: unused } as unknown as UpdatesNeeds['hub']['http'] },
    cache: new CacheIndex(() => dir),
    downloads: {
      add: unused,
      list: () => [],
      activeSnapshotDirs: (root) => {
        activeAsked.push(root);
        return [];
      },
    },
    inference: { status: () => inference },
    apps: { lastReport: () => null },
    exports: { outsideUses: () => [{ repo: REPO, commit: A, label: 'LM Studio', files: 1, symlinks: 1 }] },
  };
  // Every need it reaches is one it names: reaching another fails the test.
  const reached = new Set<string>();
  const guarded = new Proxy(needs, {
    get(target, key, receiver) {
      if (typeof key === 'string') {
        if (!(updatesSlice.needs as readonly string[]).includes(key)) throw new Error(`the updates slice reached "${key}", a need it does not name`);
        reached.add(key);
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const { service, handlers } = built(updatesSlice, guarded);
  const setInference = (s: Partial<InferenceStatus>) => (inference = { ...inference, ...s });
  return { p, dir, offline, activeAsked, setInference, service, call: caller(handlerTable(handlers)), needs: guarded, reached };
}

describe('the updates slice', () => {
  it('names the needs it is built from', () => {
    expect([...updatesSlice.needs].sort()).toEqual(['apps', 'cache', 'downloads', 'events', 'exports', 'hf', 'hub', 'inference', 'options', 'settings']);
  });

  it('answers status, pin and preferences from its service over the cache it was given, telling the bus', async () => {
    const { p, offline, call, service, reached } = setup();
    const changes = recorded(p.events, 'updates.changed');
    const status = await call<UpdatesView>('updates.status', {});
    expect(status).toEqual(service.view());
    expect(status.repos.map((r) => r.id)).toEqual(['org/llm']);
    expect(status.offline).toBe(false);

    const pinned = await call<RepoUpdates>('updates.pin', { repo: REPO, pinned: true });
    expect(pinned.pinned).toBe(B);
    expect(changes.at(-1)?.repos[0]?.pinned).toBe(B);
    const prefs = await call<UpdatesView>('updates.setPreferences', { keepPrevious: false });
    expect(prefs.keepPrevious).toBe(false);
    expect(changes.at(-1)?.keepPrevious).toBe(false);
    // Its record lives in the data folder it was given.
    const kept = JSON.parse(fs.readFileSync(path.join(p.dataDir, 'updates.json'), 'utf8')) as { repos: Record<string, { pinned: string | null }> };
    expect(kept.repos[REPO]?.pinned).toBe(B);

    // The settings' offline switch is the one it reads.
    offline.on = true;
    expect((await call<UpdatesView>('updates.status', {})).offline).toBe(true);
    await expect(call('updates.check', {})).rejects.toMatchObject({ code: 'OFFLINE' });
    expect([...reached].sort()).toEqual(expect.arrayContaining(['cache', 'events', 'settings']));
  });

  it('plans removing a previous revision with the engine’s model (loaded or loading), exports and active downloads it was given', async () => {
    const { call, setInference, activeAsked, dir } = setup();
    const file = path.join(dir, FOLDER, 'snapshots', A, 'model.gguf');
    type Plan = { loaded?: { name: string; revision: string }[]; usedElsewhere?: { label: string }[] };
    const idle = await call<Plan>('updates.planRemovePrevious', { repo: REPO, commit: A });
    expect(idle.loaded).toBeUndefined();
    expect(idle.usedElsewhere?.map((u) => u.label)).toEqual(['LM Studio']);
    expect(activeAsked).toEqual([dir]);

    setInference({ loading: { key: 'hf:org/llm@x/model.gguf', name: 'LLM loading', path: file, progress: 0.1 } });
    expect((await call<Plan>('updates.planRemovePrevious', { repo: REPO, commit: A })).loaded).toEqual([
      { name: 'LLM loading', revision: `org/llm@${A.slice(0, 8)}` },
    ]);
    await expect(call('updates.removePrevious', { repo: REPO, commit: A })).rejects.toMatchObject({ code: 'BUSY' });
    expect(fs.existsSync(file)).toBe(true);
  });

  it('hears download changes on the bus once ready', () => {
    const { p, service, needs } = setup();
    const heard = vi.spyOn(service, 'onDownload');
    updatesSlice.ready?.(service, needs);
    const job = { id: 'job-1', state: 'done' } as DownloadJob;
    p.events.emit('downloads.changed', job);
    expect(heard).toHaveBeenCalledWith(job);
  });
});
