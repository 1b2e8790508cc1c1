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
import type { Handlers } from '../../src-main/contract/handlers';
import { CacheIndex } from '../../src-main/cache/index';
import type { DownloadManager } from '../../src-main/downloads/manager';
import { downloadsSlice } from '../../src-main/downloads/slice';
import type { Env } from '../../src-main/hub/hf-env';
import { HubHttp } from '../../src-main/hub/http';
import { confBackend } from '../../src-main/settings/conf-backend';
import { settingsSlice } from '../../src-main/settings/slice';
import { dispatch } from '../../src-main/rpc/dispatch';
import { STORE_MARKER } from '../../src-main/cache/shared-store';
import { XET_FILE, XET_REPO, xetRepo } from '../fakehub/xet/fixtures';
import { built, handlerTable, place } from '../helpers/fakes';
import { fakeHub } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';

interface Built {
  handlers: Handlers;
  downloads: DownloadManager;
  close(): Promise<void>;
}

let core: Built | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

/** The settings slice and the download engine's slice from what they declare they need (the cache index reads the store); no Core. */
function settingsAndDownloads(env: Env): Built {
  const p = place(env);
  const cache: CacheIndex = new CacheIndex((): string => settings.service.cacheDir());
  const settings = built(settingsSlice, {
    options: { dataDir: p.dataDir, homeDir: p.home, settingsBackend: confBackend, env: p.env },
    hf: p.hf,
    events: p.events,
    hub: { check: async () => undefined },
    cache,
  });
  const http = new HubHttp({ endpoint: p.hf.endpoint.url, token: () => null, offline: () => false });
  const downloads = built(downloadsSlice, {
    options: { dataDir: p.dataDir, env: p.env, ephemeralQueue: true },
    hf: p.hf,
    events: p.events,
    settings: settings.service,
    hub: { http },
    cache,
  });
  return { handlers: handlerTable(settings.handlers, downloads.handlers), downloads: downloads.service, close: () => downloads.service.close() };
}

async function call<T>(c: Built, method: string, input: unknown): Promise<T> {
  const r = await dispatch(c.handlers, method, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as T;
}

async function downloadXet(c: Built): Promise<void> {
  const job = await call<DownloadJob>(c, 'downloads.start', { repo: XET_REPO, files: [XET_FILE] });
  await c.downloads.whenIdle();
  expect(c.downloads.get(job.id).state).toBe('done');
}

describe('the shared blob store setting', () => {
  it('keeps a plain cache plain by default, and makes the store on the first Xet download once turned on', async () => {
    const hub = await fakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: 1 << 20 } });
    const cache = path.join(tmpDir(), 'hub');
    core = settingsAndDownloads({ HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache });
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
    core = settingsAndDownloads({ HF_HUB_CACHE: path.join(tmpDir(), 'hub'), HF_HUB_DISABLE_SHARED_BLOBS: '1' });
    expect((await call<SettingsView>(core, 'settings.get', {})).sharedStore.disabledBy).toBe('HF_HUB_DISABLE_SHARED_BLOBS');
  });
});
