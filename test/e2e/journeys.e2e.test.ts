/**
 * Journeys across pages, as a new user would take them: the address always says what the page
 * shows (Back after a revision change, the Gallery's search), offline pages from the cache, the
 * truth about the Hub and the connection, a download visible from every page, chats that do not
 * pile up, a gated model explained, and a file that is not a model marked as such.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { FakeHub } from '../fakehub/server';
import { newContext, SHOTS, screenshotOnFailure } from './chromium';
import { openWithFakeHub, startServe, type HubServedPage, type ServeProcess } from './serve-process';

let served: HubServedPage;
let browser: Browser;
let hub: FakeHub;
let serve: ServeProcess;
let page: Page;

beforeAll(async () => {
  served = await openWithFakeHub();
  ({ browser, hub, serve, page } = served);
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

const hash = () => page.evaluate(() => decodeURIComponent(location.hash));
const heading = (name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

describe('navigation that never traps', () => {
  it('keeps the revision in the address: Back after a revision change shows each model as it was', async () => {
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('acme/split-llm')}`);
    await heading('acme/split-llm');
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('acme/tiny-llm')}`);
    await heading('acme/tiny-llm');
    await page.getByLabel('Revision').selectOption('v1.0');
    await expect.poll(hash).toBe('#/model/acme/tiny-llm?revision=v1.0');
    await page.getByText(/commit [0-9a-f]{8}/).waitFor();
    const v1Commit = await page.getByText(/commit [0-9a-f]{8}/).textContent();

    await page.goBack();
    await expect.poll(hash).toBe('#/model/acme/tiny-llm');
    await expect.poll(() => page.getByLabel('Revision').inputValue()).toBe('main');
    await expect.poll(() => page.getByText(/commit [0-9a-f]{8}/).textContent()).not.toBe(v1Commit);

    await page.goBack();
    await heading('acme/split-llm');
    expect(await page.getByLabel('Revision').inputValue()).toBe('main');
    await expect.poll(() => page.getByTestId('gguf-row').count()).toBe(2);
    expect(await page.getByRole('alert').count()).toBe(0);

    await page.goForward();
    await page.goForward();
    await heading('acme/tiny-llm');
    await expect.poll(() => page.getByLabel('Revision').inputValue()).toBe('v1.0');
  });

  it('offers main again when a revision does not exist', async () => {
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('acme/tiny-llm')}?revision=no-such`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Revision "no-such" does not exist/);
    await page.getByRole('button', { name: 'Show main instead' }).click();
    await expect.poll(hash).toBe('#/model/acme/tiny-llm');
    await expect.poll(() => page.getByTestId('gguf-row').count()).toBe(2);
  });

  it('keeps the Gallery search, format and sort in the address, through a model page, Back and a reload', async () => {
    await page.goto(`${serve.baseUrl}#/gallery`);
    await page.getByLabel('Search models').fill('llm');
    await page.getByLabel('Format').selectOption('gguf');
    await page.getByLabel('Sort').selectOption('likes');
    await expect.poll(hash).toMatch(/^#\/gallery\?/);
    await expect.poll(async () => Object.fromEntries(new URLSearchParams((await hash()).split('?')[1]))).toEqual({ q: 'llm', format: 'gguf', sort: 'likes' });
    await page.getByRole('link', { name: 'acme/split-llm' }).click();
    await heading('acme/split-llm');
    await page.goBack();
    await expect.poll(() => page.getByLabel('Search models').inputValue()).toBe('llm');
    expect(await page.getByLabel('Format').inputValue()).toBe('gguf');
    expect(await page.getByLabel('Sort').inputValue()).toBe('likes');
    await page.reload();
    await expect.poll(() => page.getByLabel('Search models').inputValue()).toBe('llm');
    expect(await page.getByLabel('Sort').inputValue()).toBe('likes');
    await expect.poll(() => page.getByTestId('model-card').count()).toBeGreaterThan(0);
    const formats = await page.getByTestId('format').allTextContents();
    expect(formats.length).toBeGreaterThan(0);
    expect(formats.every((f) => f === 'GGUF')).toBe(true);
  });

  it('explains a gated model to an anonymous visitor, with its files and the way in', async () => {
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('acme/gated-llm')}`);
    await heading('acme/gated-llm');
    const notice = page.getByTestId('gated-notice');
    await notice.waitFor();
    expect(await notice.getByRole('link', { name: 'Request access' }).getAttribute('href')).toBe(`${hub.url}/acme/gated-llm`);
    expect(await notice.getByRole('link', { name: 'Sign in' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('gguf-row').count()).toBe(1);
    expect(await page.getByText('The model card is behind the gate: sign in and request access.').count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'model-page-gated.png'), fullPage: true });
  });
});

describe('states that tell the truth', () => {
  it('says the Hub answers with errors, and offers Retry that works once it recovers', async () => {
    hub.faults.add({ kind: 'status', status: 503, origin: 'api', pathIncludes: '/api/models', times: 20 });
    await page.goto(`${serve.baseUrl}#/gallery?q=tiny`);
    // Said like offline: the Hub is having trouble, the Library has what is here, Retry asks again.
    const alert = page.getByTestId('hub-down').filter({ hasText: /The Hub is answering with errors/ });
    await alert.first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('status-hub').textContent()).toBe('Hub errors');
    await page.screenshot({ path: path.join(SHOTS, 'gallery-hub-error.png') });
    hub.faults.clear();
    await alert.first().getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.getByTestId('model-card').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('status-hub').textContent()).toBe('Online');
  });

  it('shows a running download on every page, and counts it in words', async () => {
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 400_000, times: 5 });
    await page.goto(`${serve.baseUrl}#/downloads`);
    await page.getByLabel('Repo id').fill('acme/tiny-llm');
    await page.getByLabel('Files or patterns').fill('tiny-llm-Q8_0.gguf');
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await page.goto(`${serve.baseUrl}#/settings`);
    const badge = page.getByTestId('downloads-badge');
    await badge.waitFor({ timeout: 15_000 });
    expect(await badge.textContent()).toBe('1');
    expect(await page.getByRole('link', { name: /^Downloads, 1 download in progress/ }).count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'sidebar-download-badge.png') });
    hub.faults.clear();
    await expect.poll(() => badge.count(), { timeout: 30_000 }).toBe(0);
  });

  it('marks a cached file that is not a model, instead of offering Chat', async () => {
    await page.goto(`${serve.baseUrl}#/downloads`);
    await page.getByLabel('Repo id').fill('acme/split-llm');
    await page.getByLabel('Files or patterns').fill('split-llm-Q8_0.gguf');
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    const job = page.getByTestId('download-job').filter({ hasText: 'split-llm-Q8_0.gguf' }).first();
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    await page.goto(`${serve.baseUrl}#/library`);
    const card = page.getByTestId('library-item').filter({ hasText: 'split-llm-Q8_0.gguf' });
    await card.waitFor({ timeout: 15_000 });
    expect(await card.getByTestId('item-problem').textContent()).toMatch(/Not a valid GGUF/);
    expect(await card.getByRole('button', { name: /Chat with/ }).count()).toBe(0);
    await page.goto(`${serve.baseUrl}#/chat`);
    const picker = page.getByLabel('Model');
    await picker.waitFor();
    expect(await picker.locator('option').allTextContents()).not.toContain(expect.stringMatching(/split-llm-Q8_0/));
  });

  it('counts a blob shared by revisions once in the treemap, whose tiles are buttons with names', async () => {
    await page.goto(`${serve.baseUrl}#/downloads`);
    // Two revisions of tiny-llm share their README and weights.
    for (const revision of ['main', 'v1.0']) {
      await page.getByLabel('Repo id').fill('acme/tiny-llm');
      await page.getByLabel('Revision').fill(revision);
      await page.getByLabel('Files or patterns').fill('README.md tiny-llm-Q4_K_M.gguf');
      await page.getByRole('button', { name: 'Download', exact: true }).click();
    }
    await expect
      .poll(
        async () => (await page.getByTestId('download-job').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).every((s) => s === 'done'),
        {
          timeout: 30_000,
        },
      )
      .toBe(true);
    await page.goto(`${serve.baseUrl}#/cache`);
    const tiles = page.getByRole('group', { name: 'Disk usage by repo and revision' }).getByRole('button');
    await expect.poll(() => tiles.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const labels = await tiles.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    expect(labels.some((l) => /^acme\/tiny-llm \(shared by revisions\): /.test(l))).toBe(true);
    // The repo's tiles add up to what it takes on disk (Q4_K_M and the README shared by both
    // revisions, Q8_0 from the earlier test in main only), not that plus the shared blobs again.
    const repoSize = await page
      .getByTestId('repo-list')
      .getByRole('button', { name: /acme\/tiny-llm/ })
      .textContent();
    expect(repoSize).toMatch(/8\.39 MB$/);
    const mb = (label: string) => Number(/: ([\d.]+) MB$/.exec(label)?.[1] ?? 0);
    const tileTotal = labels.filter((l) => l.startsWith('acme/tiny-llm')).reduce((sum, l) => sum + mb(l), 0);
    expect(tileTotal).toBeCloseTo(8.39, 1);
    await tiles.first().focus();
    await page.keyboard.press('Enter');
    await expect.poll(hash).toMatch(/^#\/cache\/model%3A|^#\/cache\/model:/);
  });
});

describe('chats that do not pile up', () => {
  it('reuses an empty chat for New chat, and asks before deleting one', async () => {
    await page.goto(`${serve.baseUrl}#/chat`);
    await page
      .getByRole('button', { name: /Start a chat|New chat/ })
      .first()
      .click();
    // Below 1440 px the list starts closed (the conversation gets the room); the user opens it.
    await page.getByRole('button', { name: 'Show chats' }).click();
    await expect.poll(() => page.getByTestId('conversation').count()).toBe(1);
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForTimeout(300);
    expect(await page.getByTestId('conversation').count()).toBe(1);
    const row = page.getByTestId('conversation').first();
    await row.hover();
    await row.getByRole('button', { name: /^Delete / }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toMatch(/Delete “New chat”\?.*0 messages are removed from this machine/);
    await dialog.getByRole('button', { name: 'Keep' }).click();
    expect(await page.getByTestId('conversation').count()).toBe(1);
    await row.hover();
    await row.getByRole('button', { name: /^Delete / }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByTestId('conversation').count()).toBe(0);
  });
});

describe('offline, from the cache', () => {
  it('opens a cached model page with its files, their state and the cached card', async () => {
    await page.goto(`${serve.baseUrl}#/settings`);
    await page.getByLabel('Offline mode').click();
    await expect.poll(() => page.getByTestId('status-hub').textContent()).toBe('Offline');
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('acme/tiny-llm')}`);
    await heading('acme/tiny-llm');
    await page.getByTestId('from-cache').waitFor();
    const rows = page.getByTestId('gguf-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.filter({ hasText: 'Q4_K_M' }).getByTestId('group-state').getAttribute('data-state')).toBe('downloaded');
    expect(await rows.filter({ hasText: 'Q8_0' }).getByTestId('group-state').textContent()).toMatch(/Downloaded|Not in the cache/);
    expect(await page.getByTestId('model-card-text').textContent()).toMatch(/A tiny test model/);
    await page.screenshot({ path: path.join(SHOTS, 'model-page-offline.png'), fullPage: true });
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('acme/never-downloaded')}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Offline mode is on, and acme\/never-downloaded is not in the cache/);
    await page.goto(`${serve.baseUrl}#/settings`);
    await page.getByLabel('Offline mode').click();
    await expect.poll(() => page.getByTestId('status-hub').textContent()).toBe('Online');
  });
});

describe('a stale tab', () => {
  it('says Hubcap restarted when the server came back with a new key', async () => {
    const first = await startServe({ env: { HF_ENDPOINT: hub.url } });
    const port = first.port;
    const tab = await (await newContext(browser, { viewport: { width: 1280, height: 900 } })).newPage();
    try {
      await tab.goto(first.url);
      await tab.getByRole('navigation', { name: 'Main' }).waitFor();
      await first.stop();
      await expect.poll(() => tab.getByTestId('status-connection').textContent(), { timeout: 15_000 }).toMatch(/reconnecting/);
      // The hub pill is not shown while the tab does not know.
      expect(await tab.getByTestId('status-hub').count()).toBe(0);
      const second = await startServe({ env: { HF_ENDPOINT: hub.url }, port });
      try {
        await tab.getByTestId('restarted-banner').waitFor({ timeout: 20_000 });
        expect(await tab.getByTestId('restarted-banner').textContent()).toMatch(/Hubcap restarted: open the new address/);
        expect(await tab.getByTestId('status-connection').textContent()).toBe('Hubcap restarted: open the new address');
        await tab.screenshot({ path: path.join(SHOTS, 'stale-tab-restarted.png') });
      } finally {
        await second.stop();
      }
    } finally {
      await tab.context().close();
    }
  });
});
