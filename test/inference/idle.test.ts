import { afterEach, describe, expect, it } from 'vitest';
import { inferenceAt, libraryAt, place, settingsAt } from '../helpers/fakes';
import { sourceHostLauncher, testModel } from '../helpers/inference';
import { InferenceService } from '../../src-main/inference/service';

let core: ReturnType<typeof inferenceOn> | null = null;
afterEach(() => {
  core?.inference.close();
  core = null;
});

/** Inference with the host from source, over the Library and the stored settings, from what its slice declares it needs; no Core. */
function inferenceOn(inferenceHostIdleMs?: number) {
  const p = place();
  const settings = settingsAt(p);
  const { library } = libraryAt(p, settings);
  const inference = inferenceAt(p, settings, library, {
    inferenceLauncher: sourceHostLauncher(),
    ...(inferenceHostIdleMs ? { inferenceHostIdleMs } : {}),
  }).service;
  return { settings, library, inference };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('inference host lifetime', () => {
  it('stops the host process when nothing has been loaded for a while, and starts a fresh one on next use', async () => {
    core = inferenceOn(300);
    const c = core;
    await c.inference.hardware();
    const pid = c.inference.hostPid as number;
    expect(alive(pid)).toBe(true);
    await expect.poll(() => c.inference.status().host, { timeout: 10_000 }).toBe('stopped');
    await expect.poll(() => alive(pid), { timeout: 5_000 }).toBe(false);
    // Hardware is known already; a fit needs the host again.
    const added = await c.library.add([testModel()]);
    await c.inference.fit(added.added[0]?.key as string);
    expect(c.inference.hostPid).not.toBe(pid);
  }, 60_000);

  it('unloads a model nobody used for the configured time, then stops the host', async () => {
    const events: string[] = [];
    const used: string[] = [];
    const service = new InferenceService({
      launcher: sourceHostLauncher(),
      emit: (name) => events.push(name),
      resolve: async (key) => ({ key, name: 'tiny', kind: 'gguf', path: testModel(), missing: false, problem: null }),
      loadDefaults: () => ({ gpuLayers: 'auto', contextSize: 512, batchSize: null, threads: 1 }),
      unloadAfterMs: () => 300,
      hostIdleMs: 300,
      onUsed: (model) => used.push(model.key),
    });
    try {
      await service.load('local:x', undefined, false);
      expect(service.status().model?.name).toBe('tiny');
      expect(used).toEqual(['local:x']);
      await expect.poll(() => service.status().model, { timeout: 10_000 }).toBeNull();
      await expect.poll(() => service.status().host, { timeout: 10_000 }).toBe('stopped');
      expect(events).toContain('inference.changed');
    } finally {
      service.close();
    }
  }, 60_000);

  it('records "last used" when a local checkpoint loads', async () => {
    core = inferenceOn();
    const c = core;
    c.settings.update({ loadDefaults: { gpuLayers: 'auto', contextSize: 512, batchSize: null, threads: 1 } });
    const added = await c.library.add([testModel()]);
    const key = added.added[0]?.key as string;
    expect(c.library.registry.list().find((i) => i.key === key)?.lastUsed).toBeNull();
    await c.inference.load(key, undefined, false);
    expect(c.library.registry.list().find((i) => i.key === key)?.lastUsed).toBeTruthy();
  }, 60_000);
});
