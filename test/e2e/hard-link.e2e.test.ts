/** The Cache page marks a blob hard-linked to another app's file, says the risk, and gives it its own copy on request (#24.5). */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openServedPage, type ServedPage } from './serve-process';
import { A, writePythonRevision } from '../helpers/python-cache';

let served: ServedPage;
let page: Page;
let blob = '';

beforeAll(async () => {
  served = await openServedPage({
    route: `/cache/${encodeURIComponent('model:org/tiny')}`,
    env: { HF_HUB_OFFLINE: '1' },
    before: ({ home, hfHome }) => {
      const cache = path.join(hfHome, 'hub');
      const data = Buffer.alloc(300_000, 5);
      writePythonRevision(cache, 'models--org--tiny', A, [{ path: 'tiny.gguf', data, lfs: true }], { refs: ['main'] });
      const blobs = path.join(cache, 'models--org--tiny', 'blobs');
      blob = path.join(blobs, fs.readdirSync(blobs)[0] as string);
      const appFile = path.join(home, 'lmstudio-tiny.gguf');
      fs.rmSync(blob);
      fs.writeFileSync(appFile, data);
      fs.linkSync(appFile, blob);
    },
  });
  page = served.page;
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

describe('a hard-linked blob on the Cache page', () => {
  it('is marked with its risk, and Own copy gives the cache its own bytes', async () => {
    const detail = page.getByTestId('repo-detail');
    await detail.getByRole('button', { name: 'Files' }).click();
    await detail.getByTestId('hard-link-risk').waitFor();
    expect(await detail.getByTestId('hard-link-risk').textContent()).toMatch(/shares its bytes with another app’s file \(a hard link\)/);
    await page.screenshot({ path: path.join(SHOTS, 'cache-hard-link.png') });
    await detail.getByRole('button', { name: 'Own copy' }).click();
    await expect.poll(() => fs.statSync(blob).nlink).toBe(1);
    await expect.poll(() => detail.getByTestId('hard-link-risk').count()).toBe(0);
  });
});
