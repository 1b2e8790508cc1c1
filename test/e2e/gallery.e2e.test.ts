/** The Gallery against a fakehub catalogue: search, filters, sort, infinite scroll, offline. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { catalogue, standardRepos } from '../fakehub/fixtures';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openServedPage, type ServedPage, type ServeProcess } from './serve-process';

let served: ServedPage;
let hub: FakeHub;
let serve: ServeProcess;
let page: Page;

beforeAll(async () => {
  hub = await startFakeHub({ repos: [...standardRepos(), ...catalogue(2000)] });
  served = await openServedPage({ env: { HF_ENDPOINT: hub.url }, route: '/gallery' });
  ({ serve, page } = served);
});
afterAll(async () => {
  await served?.close();
  await hub?.close();
});
screenshotOnFailure(() => page);

const count = async () => Number(/^(\d+)/.exec((await page.getByTestId('gallery-count').textContent()) ?? '')?.[1] ?? 0);

describe('gallery', () => {
  it('loads more pages as the list scrolls', async () => {
    await expect.poll(count, { timeout: 15_000 }).toBe(30);
    await page.screenshot({ path: path.join(SHOTS, 'gallery.png') });
    for (let i = 0; i < 4; i++) {
      await page.getByTestId('gallery-results').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(300);
    }
    await expect.poll(count).toBeGreaterThanOrEqual(90);
    const pages = hub.log.filter((r) => r.url.startsWith('/api/models?')).length;
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('searches as you type (debounced), with format, task and sort filters', async () => {
    const before = hub.log.length;
    await page.getByLabel('Search models').pressSequentially('model-01', { delay: 30 });
    await expect.poll(async () => page.getByTestId('model-card').first().textContent(), { timeout: 10_000 }).toMatch(/model-01\d\d/);
    // Typing eight characters sent far fewer than eight searches.
    expect(hub.log.slice(before).filter((r) => r.url.startsWith('/api/models?')).length).toBeLessThanOrEqual(3);
    await page.getByLabel('Format').selectOption('gguf');
    await page.getByLabel('Sort').selectOption('downloads');
    await expect.poll(async () => (await page.getByTestId('model-card').allTextContents()).length).toBeGreaterThan(0);
    const last = hub.log.filter((r) => r.url.startsWith('/api/models?')).at(-1)?.url ?? '';
    expect(last).toMatch(/search=model-01/);
    expect(last).toMatch(/filter=gguf/);
    expect(last).toMatch(/sort=downloads/);
    const cards = await page.getByTestId('model-card').allTextContents();
    expect(cards.every((c) => /params/.test(c))).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'gallery-search.png') });
  });

  it('opens a model page: quantizations grouped, the card rendered safely, one quantization downloaded', async () => {
    await page.goto(`${serve.baseUrl}#/gallery`);
    await page.getByLabel('Search models').fill('split-llm');
    await page.getByRole('link', { name: 'acme/split-llm' }).click();
    await page.getByRole('heading', { level: 1, name: 'acme/split-llm' }).waitFor();
    const rows = page.getByTestId('gguf-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/Q4_K_M.*\(2 parts\).*2\.10 MB/);
    expect(await rows.nth(1).textContent()).toMatch(/Q8_0.*3\.15 MB/);
    const card = page.getByTestId('model-card-text');
    expect(await card.textContent()).toMatch(/Split LLM/);
    expect(await card.textContent()).not.toMatch(/license: apache/);
    expect(await card.locator('script, [onerror]').count()).toBe(0);
    expect(await card.getByRole('link', { name: 'safe link' }).getAttribute('href')).toBe('https://huggingface.co/acme/split-llm');
    expect(await card.getByRole('link', { name: 'bad link' }).count()).toBe(0);
    expect(await card.locator('img').count()).toBe(0);
    expect(await card.textContent()).toMatch(/\[image: tracker\]/);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // These "GGUF" files are random bytes: no estimate, and the reason on hover.
    await expect.poll(() => page.getByTestId('fit-unknown').count(), { timeout: 30_000 }).toBe(2);
    await page.screenshot({ path: path.join(SHOTS, 'model-page.png'), fullPage: true });

    // The row shows the download's own progress, then what this machine has: no trip to Downloads.
    await page.getByRole('button', { name: 'Download Q4_K_M' }).click();
    const q4 = rows.filter({ hasText: 'Q4_K_M' }).getByTestId('group-state');
    await expect.poll(() => q4.getAttribute('data-state'), { timeout: 15_000 }).toBe('downloaded');
    // Random bytes are no model: the row says so instead of offering Chat.
    await expect.poll(() => rows.filter({ hasText: 'Q4_K_M' }).textContent(), { timeout: 15_000 }).toMatch(/not a valid GGUF/);
    expect(
      await rows
        .filter({ hasText: 'Q4_K_M' })
        .getByRole('button', { name: /Open .* in Chat/ })
        .count(),
    ).toBe(0);
    expect(await rows.filter({ hasText: 'Q8_0' }).getByTestId('group-state').getAttribute('data-state')).toBe('absent');
    await page.getByRole('link', { name: /^Downloads/ }).click();
    const job = page.getByTestId('download-job').filter({ hasText: 'acme/split-llm' }).first();
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    expect(await job.textContent()).toMatch(/2\/2 files/);
    // The page downloads the commit it shows, and writes the revision it shows as a ref (not "detached").
    const repoDir = path.join(serve.hfHome, 'hub', 'models--acme--split-llm');
    const sha = standardRepos().find((r) => r.id === 'acme/split-llm')?.commits[0]?.sha;
    expect(fs.readFileSync(path.join(repoDir, 'refs', 'main'), 'utf8')).toBe(sha);
    expect(fs.existsSync(path.join(repoDir, 'trees', `${sha}.json`))).toBe(true);
  });

  it('estimates from headers alone whether each GGUF fits, then downloads one and chats with it', async () => {
    // One thread: on a two-core test machine, thread sync dwarfs a tiny model's work.
    await page.goto(`${serve.baseUrl}#/settings`);
    await page.getByLabel('Threads').fill('1');
    await page.getByRole('button', { name: 'Save defaults' }).click();
    await page.getByText('Saved.').waitFor();

    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('hubcap-test/tiny-llama-GGUF')}`);
    await page.getByRole('heading', { level: 1, name: 'hubcap-test/tiny-llama-GGUF' }).waitFor();
    const badges = page.getByTestId('fit-badge');
    await expect.poll(() => badges.count(), { timeout: 60_000 }).toBe(2);
    const huge = page.getByTestId('gguf-row').filter({ hasText: 'huge-llama-F16.gguf' }).getByTestId('fit-badge');
    const tiny = page.getByTestId('gguf-row').filter({ hasText: 'tiny-llama-F32.gguf' }).getByTestId('fit-badge');
    expect(await huge.getAttribute('data-verdict')).toBe('too-big');
    expect(await huge.getAttribute('aria-label')).toMatch(/Too big for this machine: needs about \d+(\.\d+)? GB of RAM/);
    expect(await tiny.getAttribute('data-verdict')).toMatch(/^(cpu|gpu)$/);
    // Only the headers crossed the wire: the 70B header is a few MB, never the (absent) weights.
    const ranges = hub.log.filter((r) => r.url.includes('huge-llama-F16.gguf') && r.method === 'GET');
    expect(ranges.length).toBeGreaterThan(0);
    await huge.hover();
    await page.getByRole('tooltip').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'model-page-fit.png') });

    // Download → the row says it is in the Library → Open in Chat: loaded, a chat open, ready to type.
    await page.getByRole('button', { name: 'Download F32' }).click();
    const f32 = page.getByTestId('gguf-row').filter({ hasText: 'tiny-llama-F32.gguf' });
    await expect.poll(() => f32.getByTestId('group-state').textContent(), { timeout: 15_000 }).toMatch(/In Library/);
    await page.screenshot({ path: path.join(SHOTS, 'model-page-downloaded.png') });
    await f32.getByRole('button', { name: 'Open F32 in Chat' }).click();
    await page.getByTestId('loaded-model').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Message');
    await page
      .getByRole('button', { name: 'Show chat settings' })
      .click()
      .catch(() => undefined);
    await page.getByLabel('Max tokens', { exact: true }).fill('8');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('Hi');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await expect.poll(() => page.getByTestId('answer-stats').textContent(), { timeout: 60_000 }).toMatch(/8 tokens/);
  });

  it('says so when offline, and offers the Library', async () => {
    await page.goto(`${serve.baseUrl}#/settings`);
    await page.getByRole('switch', { name: 'Offline mode' }).click();
    await page.goto(`${serve.baseUrl}#/gallery`);
    await page.getByTestId('gallery-offline').waitFor();
    await page.getByRole('link', { name: 'Open the Library' }).click();
    await page.getByRole('heading', { level: 1, name: 'Library' }).waitFor();
  });
});
