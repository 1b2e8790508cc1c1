/**
 * Settings › Hugging Face cache says whether the cache has huggingface_hub 2.x's shared blob store,
 * and a plain cache stays plain unless the user turns "make the store" on (then Hubcap makes it on
 * its first Xet download, as Python ≥ 2.0 would); HF_HUB_DISABLE_SHARED_BLOBS wins and is named.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SettingsView } from '../../src-main/contract/settings';
import type { DownloadJob } from '../../src-main/contract/downloads';
import type { Core } from '../../src-main/core/core';
import { dispatch } from '../../src-main/rpc/dispatch';
import { STORE_MARKER } from '../../src-main/cache/shared-store';
import { XET_FILE, XET_REPO, xetRepo } from '../fakehub/xet/fixtures';
import { testCore } from '../helpers/core';
import { fakeHub } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

async function call<T>(c: Core, method: string, input: unknown): Promise<T> {
  const r = await dispatch(c.handlers, method, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as T;
}

async function downloadXet(c: Core): Promise<void> {
  const job = await call<DownloadJob>(c, 'downloads.start', { repo: XET_REPO, files: [XET_FILE] });
  await c.downloads.whenIdle();
  expect(c.downloads.get(job.id).state).toBe('done');
}

describe('the shared blob store setting', () => {
  it('keeps a plain cache plain by default, and makes the store on the first Xet download once turned on', async () => {
    const hub = await fakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: 1 << 20 } });
    const cache = path.join(tmpDir(), 'hub');
    core = testCore({ env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache }, fetch: globalThis.fetch });
    expect((await call<SettingsView>(core, 'settings.get', {})).sharedStore).toEqual({ state: 'none', create: false, disabledBy: null });
    await downloadXet(core);
    expect(fs.existsSync(path.join(cache, 'blobs', STORE_MARKER))).toBe(false);

    const on = await call<SettingsView>(core, 'settings.update', { createSharedStore: true });
    expect(on.sharedStore.create).toBe(true);
    fs.rmSync(path.join(cache, 'models--acme--xet-model'), { recursive: true });
    await downloadXet(core);
    expect(fs.existsSync(path.join(cache, 'blobs', STORE_MARKER))).toBe(true);
    // The repo's blob is now a link into the store, as Python 2.x lays it out.
    const blobs = path.join(cache, 'models--acme--xet-model', 'blobs');
    const blob = fs.readdirSync(blobs).find((n) => /^[0-9a-f]{64}$/.test(n)) as string;
    expect(fs.lstatSync(path.join(blobs, blob)).isSymbolicLink()).toBe(true);
    expect((await call<SettingsView>(core, 'settings.get', {})).sharedStore.state).toBe('v1');
  });

  it('names the variable that turns the store off', async () => {
    core = testCore({ env: { HF_HUB_CACHE: path.join(tmpDir(), 'hub'), HF_HUB_DISABLE_SHARED_BLOBS: '1' } });
    expect((await call<SettingsView>(core, 'settings.get', {})).sharedStore.disabledBy).toBe('HF_HUB_DISABLE_SHARED_BLOBS');
  });
});
