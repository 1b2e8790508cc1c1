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
import type { FakeHub, FakeHubOptions } from '../fakehub/server';
import { SHOTS } from './chromium';
import { openWithFakeHub, type HubServedPage } from './serve-process';

export type OutdatedCache = HubServedPage;

export interface OutdatedCacheOptions {
  /** The fake Hub, holding `repo` among its repos. */
  hub: FakeHubOptions;
  repo: string;
  /** The commit pushed to main once the cache holds it: the update the app will find. */
  push: CommitSpec;
  /** Changes the prepared cache before the app gets a copy of it (e.g. a blob changed on disk). */
  alter?: (cacheDir: string) => void;
}

/** The Hub's repo at main, fetched by Hubcap's own engine into `cacheDir`; a failed fetch says why here, not later on a page. */
async function cacheRepo(hub: FakeHub, repo: string, cacheDir: string): Promise<void> {
  const engine = new DownloadManager({
    hub: new HubHttp({ endpoint: hub.url, token: () => null, offline: () => false }),
    cacheDir: () => cacheDir,
    store: memoryQueueStore(),
  });
  try {
    const job = engine.add({ repoType: 'model', repo, revision: 'main' });
    await engine.whenIdle();
    const done = engine.list().find((j) => j.id === job.id);
    if (done?.state !== 'done')
      throw new Error(`preparing the outdated cache: ${repo} ended ${done?.state ?? 'missing'}: ${JSON.stringify(done?.error ?? null)}`);
  } finally {
    await engine.close();
  }
}

/** One teardown (openWithFakeHub's): closing, or a setup failing halfway, stops the page, the server and the fake Hub. */
export async function openOnOutdatedCache(opts: OutdatedCacheOptions): Promise<OutdatedCache> {
  const prepared = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-e2e-outdated-'));
  try {
    return await openWithFakeHub(
      {
        route: `/cache/${encodeURIComponent(`model:${opts.repo}`)}`,
        prepare: async (hub) => {
          await cacheRepo(hub, opts.repo, prepared);
          opts.alter?.(prepared);
          hub.push(opts.repo, opts.push);
        },
        before: ({ hfHome }) => fs.cpSync(prepared, path.join(hfHome, 'hub'), { recursive: true, verbatimSymlinks: true }),
      },
      opts.hub,
    );
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
