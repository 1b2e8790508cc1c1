/**
 * What the model-update e2e tests start from: a fake Hub with one repo, a cache holding it at main
 * (made by Hubcap's own engine before the app starts, copied into the served app's HF_HOME), the
 * Hub one commit further, and the app open on that repo's Cache page. Also their screenshots: light
 * and dark, at 1280 and 720 px.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { DownloadManager } from '../../src-main/downloads/manager';
import { memoryQueueStore } from '../../src-main/downloads/queue-store';
import { HubHttp } from '../../src-main/hub/http';
import type { CommitSpec } from '../fakehub/model';
import { startFakeHub, type FakeHub, type FakeHubOptions } from '../fakehub/server';
import { SHOTS } from './chromium';
import { openServedPage, type ServedPage } from './serve-process';

export interface OutdatedCache extends ServedPage {
  hub: FakeHub;
}

export interface OutdatedCacheOptions {
  /** The fake Hub, holding `repo` among its repos. */
  hub: FakeHubOptions;
  repo: string;
  /** The commit pushed to main once the cache holds it: the update the app will find. */
  push: CommitSpec;
  /** Changes the prepared cache before the app gets a copy of it (e.g. a blob changed on disk). */
  alter?: (cacheDir: string) => void;
}

export async function openOnOutdatedCache(opts: OutdatedCacheOptions): Promise<OutdatedCache> {
  const hub = await startFakeHub(opts.hub);
  const prepared = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-e2e-outdated-'));
  try {
    const engine = new DownloadManager({
      hub: new HubHttp({ endpoint: hub.url, token: () => null, offline: () => false }),
      cacheDir: () => prepared,
      store: memoryQueueStore(),
    });
    engine.add({ repoType: 'model', repo: opts.repo, revision: 'main' });
    await engine.whenIdle();
    await engine.close();
    opts.alter?.(prepared);
    hub.push(opts.repo, opts.push);
    const served = await openServedPage({
      route: `/cache/${encodeURIComponent(`model:${opts.repo}`)}`,
      env: { HF_ENDPOINT: hub.url },
      before: ({ hfHome }) => fs.cpSync(prepared, path.join(hfHome, 'hub'), { recursive: true, verbatimSymlinks: true }),
    });
    return {
      ...served,
      hub,
      close: async () => {
        await served.close();
        await hub.close();
      },
    };
  } catch (error) {
    await hub.close();
    throw error;
  } finally {
    // The app has its own copy by now (or never started): the prepared one is not needed either way.
    fs.rmSync(prepared, { recursive: true, force: true });
  }
}

/** Screenshots `name-<width>-<scheme>.png` of the page, with `focus` (a test id) scrolled into view; back to 1280 px, light, after. */
export async function screenshots(page: Page, name: string, focus?: string): Promise<void> {
  for (const width of [1280, 720]) {
    await page.setViewportSize({ width, height: 900 });
    if (focus) await page.getByTestId(focus).first().scrollIntoViewIfNeeded();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(SHOTS, `${name}-${width}-${scheme}.png`) });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
}
