/**
 * The Cache page on a cache built by huggingface_hub 2.0 itself, with a payload two repos share:
 * the treemap shows the store's shared bytes as their own tile, so it adds up to the disk (#24.1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openServedPage, type ServedPage } from './serve-process';
import { pyBuild, SHARED, twoRepos } from '../cache/hf2-store';
import { formatBytes } from '../../src-main/contract/present/format';

let served: ServedPage;
let page: Page;
let cache = '';

beforeAll(async () => {
  cache = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-e2e-store-')), 'hub');
  await pyBuild(cache, twoRepos());
  served = await openServedPage({ route: '/cache', heading: 'Cache', env: { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' } });
  page = served.page;
});
afterAll(async () => {
  await served?.close();
  fs.rmSync(path.dirname(cache), { recursive: true, force: true });
});
screenshotOnFailure(() => page);

describe('the shared blob store on the Cache page', () => {
  it('has a tile for the bytes several repos share, counted once', async () => {
    const map = page.getByRole('group', { name: 'Disk usage by repo and revision' });
    const tile = map.getByRole('button', { name: /^Shared blob store \(used by several repos\)/ });
    await tile.waitFor();
    expect(await tile.getAttribute('aria-label')).toBe(`Shared blob store (used by several repos): ${formatBytes(SHARED.length)}`);
    await page.screenshot({ path: path.join(SHOTS, 'cache-shared-store.png') });
  });
});
