/**
 * An update over Xet whose old local copy no longer matches its sha256 (#26.6): the update runs from
 * the Cache page, and its job on the Downloads page says that nothing was reused from the old copy,
 * naming it; light and dark, 1280 and 720 px.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildRepo } from '../fakehub/model';
import { ggufWithTemplate } from '../fakehub/xet/delta';
import { screenshotOnFailure } from './chromium';
import { openOnOutdatedCache, screenshots, type OutdatedCache } from './outdated-cache';

const SIZE = 4 << 20;
const REPO = 'acme/xet-chat';

let app: OutdatedCache;
let page: Page;

beforeAll(async () => {
  app = await openOnOutdatedCache({
    hub: {
      repos: [buildRepo({ id: REPO, commits: [{ title: 'Initial upload', files: { 'model.gguf': ggufWithTemplate(SIZE, '{{ old }}') } }] })],
      storageHost: '127.0.0.2',
      xet: {},
    },
    repo: REPO,
    // The old copy's blob changed on disk before the app starts.
    alter: (cacheDir) => {
      const blobs = path.join(cacheDir, 'models--acme--xet-chat', 'blobs');
      const blob = path.join(blobs, fs.readdirSync(blobs)[0] as string);
      fs.chmodSync(blob, 0o644);
      const fd = fs.openSync(blob, 'r+');
      fs.writeSync(fd, Buffer.from('changed on disk'), 0, 15, SIZE / 2);
      fs.closeSync(fd);
    },
    push: { title: 'Fix the chat template', files: { 'model.gguf': ggufWithTemplate(SIZE, '{{ new }}') } },
  });
  page = app.page;
}, 120_000);
afterAll(() => app?.close());
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

    await page.goto(`${app.serve.baseUrl}#/downloads`);
    const stale = page.getByTestId('job-stale');
    await stale.waitFor({ timeout: 30_000 });
    const text = (await stale.textContent()) ?? '';
    expect(text).toMatch(/The old copy of model\.gguf on this machine no longer matches its sha256, so nothing was reused from it/);
    expect(text).toMatch(/models--acme--xet-chat[\\/]blobs[\\/][0-9a-f]{64}/);
    await screenshots(page, 'downloads-stale-copy', 'job-stale');
  }, 180_000);
});
