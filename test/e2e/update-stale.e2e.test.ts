/**
 * An update over Xet whose old local copy no longer matches its sha256 (#26.6): the update runs from
 * the Cache page, and its job on the Downloads page says that nothing was reused from the old copy,
 * naming it; light and dark, 1280 and 720 px.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DownloadManager } from '../../src-main/downloads/manager';
import { memoryQueueStore } from '../../src-main/downloads/queue-store';
import { HubHttp } from '../../src-main/hub/http';
import { buildRepo } from '../fakehub/model';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { ggufWithTemplate } from '../fakehub/xet/delta';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openServedPage, type ServedPage } from './serve-process';

const SIZE = 4 << 20;
const REPO = 'acme/xet-chat';

let hub: FakeHub;
let served: ServedPage;
let page: Page;
let prepared = '';

async function shots(name: string, focus: string): Promise<void> {
  for (const width of [1280, 720]) {
    await page.setViewportSize({ width, height: 900 });
    await page.getByTestId(focus).first().scrollIntoViewIfNeeded();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(SHOTS, `${name}-${width}-${scheme}.png`) });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  hub = await startFakeHub({
    repos: [buildRepo({ id: REPO, commits: [{ title: 'Initial upload', files: { 'model.gguf': ggufWithTemplate(SIZE, '{{ old }}') } }] })],
    storageHost: '127.0.0.2',
    xet: {},
  });
  // The repo at main in a cache made by Hubcap's own engine; then its blob is changed on disk.
  prepared = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-e2e-stale-'));
  const engine = new DownloadManager({
    hub: new HubHttp({ endpoint: hub.url, token: () => null, offline: () => false }),
    cacheDir: () => prepared,
    store: memoryQueueStore(),
  });
  engine.add({ repoType: 'model', repo: REPO, revision: 'main' });
  await engine.whenIdle();
  await engine.close();
  const blobs = path.join(prepared, 'models--acme--xet-chat', 'blobs');
  const blob = path.join(blobs, fs.readdirSync(blobs)[0] as string);
  fs.chmodSync(blob, 0o644);
  const fd = fs.openSync(blob, 'r+');
  fs.writeSync(fd, Buffer.from('changed on disk'), 0, 15, SIZE / 2);
  fs.closeSync(fd);
  hub.push(REPO, { title: 'Fix the chat template', files: { 'model.gguf': ggufWithTemplate(SIZE, '{{ new }}') } });
  served = await openServedPage({
    route: `/cache/${encodeURIComponent(`model:${REPO}`)}`,
    env: { HF_ENDPOINT: hub.url },
    before: ({ hfHome }) => fs.cpSync(prepared, path.join(hfHome, 'hub'), { recursive: true, verbatimSymlinks: true }),
  });
  page = served.page;
}, 120_000);
afterAll(async () => {
  await served?.close();
  await hub?.close();
  fs.rmSync(prepared, { recursive: true, force: true });
});
screenshotOnFailure(() => page);

describe('an update whose old copy changed on disk', () => {
  it('updates, and the Downloads page says nothing was reused from the old copy, naming it', async () => {
    await page.getByTestId('updates-card').getByRole('button', { name: 'Check for updates' }).click();
    const panel = page.getByTestId('update-panel');
    await panel.getByTestId('branch-state-main').filter({ hasText: 'Update available' }).waitFor({ timeout: 30_000 });
    await panel.getByRole('button', { name: 'What changed?' }).click();
    await panel.getByTestId('update-summary').waitFor({ timeout: 30_000 });
    await panel.getByRole('button', { name: 'Update', exact: true }).click();
    await panel.getByTestId('branch-state-main').filter({ hasText: 'Up to date' }).waitFor({ timeout: 60_000 });

    await page.goto(`${served.serve.baseUrl}#/downloads`);
    const stale = page.getByTestId('job-stale');
    await stale.waitFor({ timeout: 30_000 });
    const text = (await stale.textContent()) ?? '';
    expect(text).toMatch(/The old copy of model\.gguf on this machine no longer matches its sha256, so nothing was reused from it/);
    expect(text).toMatch(/models--acme--xet-chat[\\/]blobs[\\/][0-9a-f]{64}/);
    await shots('downloads-stale-copy', 'job-stale');
  }, 180_000);
});
