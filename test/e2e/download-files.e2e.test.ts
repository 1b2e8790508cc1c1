/**
 * A job's Files list on the Downloads page says how each file came (#25.5): Xet, the classic HTTP
 * road, or from this machine; what a file's own repeats saved; and marks a file whose sha256 held
 * though its Xet hash did not.
 * Light and dark, at 1280 and 720 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildRepo } from '../fakehub/model';
import { ggufWithTemplate } from '../fakehub/xet/delta';
import { bufferContent } from '../fakehub/content';
import { misnameXetHash, noiseContent } from '../fakehub/xet/fixtures';
import { screenshotOnFailure } from './chromium';
import { screenshots } from './outdated-cache';
import { openWithFakeHub, type HubServedPage } from './serve-process';

const half = noiseContent('e2e-repeats', 1 << 20).read(0, 1 << 20);
const files = {
  'model.gguf': ggufWithTemplate(2 << 20, '{{ x }}'),
  // Its second megabyte is its first again: fetched once, written twice.
  'repeats.bin': bufferContent(Buffer.concat([half, half])),
  'config.json': '{"v":1}',
  'README.md': '# xet files',
};

let app: HubServedPage;
let page: Page;

beforeAll(async () => {
  app = await openWithFakeHub(
    {
      route: '/downloads',
      // The first repo's model: right bytes under a wrongly named Xet hash.
      prepare: async (hub) => misnameXetHash(hub, 'acme/xet-files', 'model.gguf'),
    },
    {
      repos: ['acme/xet-files', 'other/xet-files'].map((id) => buildRepo({ id, commits: [{ title: 'Initial upload', files }] })),
      storageHost: '127.0.0.2',
      xet: {},
    },
  );
  page = app.page;
}, 120_000);
afterAll(() => app?.close());
screenshotOnFailure(() => page);

async function download(repo: string) {
  await page.getByLabel('Repo id').fill(repo);
  await page.getByLabel('Revision').fill('main');
  await page.getByLabel('Files or patterns').fill('');
  await page.getByRole('button', { name: 'Download', exact: true }).click();
  const card = page.getByTestId('download-job').filter({ hasText: repo }).first();
  await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
  return card;
}

async function roads(card: ReturnType<Page['getByTestId']>): Promise<Record<string, string>> {
  const rows = card.getByTestId('job-file');
  const out: Record<string, string> = {};
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out[(await row.locator('span').first().textContent()) ?? ''] = (await row.getByTestId('job-file-via').textContent()) ?? '';
  }
  return out;
}

describe('the Files list of a download', () => {
  it('says which road each file took, what came from this machine, and which Xet hash did not hold', async () => {
    const first = await download('acme/xet-files');
    const second = await download('other/xet-files');
    await first.getByRole('button', { name: 'Files' }).click();
    await first.getByTestId('job-file').first().waitFor();
    expect(await roads(first)).toEqual({ 'model.gguf': 'Xet', 'repeats.bin': 'Xet', 'config.json': 'HTTP', 'README.md': 'HTTP' });
    expect(await first.getByTestId('job-file').filter({ hasText: 'repeats.bin' }).getByTestId('job-file-repeated').textContent()).toMatch(/^\d+ kB repeats$/);
    expect(await first.getByTestId('job-file').filter({ hasText: 'model.gguf' }).getByTestId('job-file-xet-hash').textContent()).toBe('Xet hash differs');
    await second.getByRole('button', { name: 'Files' }).click();
    await second.getByTestId('job-file').first().waitFor();
    // Everything of the second repo was already on this machine, in the first.
    expect(Object.values(await roads(second))).toEqual(['another repo', 'another repo', 'another repo', 'another repo']);
    expect(await second.getByTestId('job-file-xet-hash').count()).toBe(0);
    expect(await second.getByTestId('job-saved').textContent()).toBe('4.19 MB saved');
    // Nothing in a row spills out of its card, at either width.
    for (const width of [1280, 720]) {
      await page.setViewportSize({ width, height: 900 });
      const spill = await page.evaluate(() => [...document.querySelectorAll('[data-testid="job-file"]')].some((row) => row.scrollWidth > row.clientWidth + 1));
      expect(spill, `a file row spills at ${width} px`).toBe(false);
    }
    await screenshots(page, 'downloads-files', 'job-file-xet-hash');
  }, 120_000);
});
