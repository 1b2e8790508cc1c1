/** The Local API page in Chromium: in the navigation, off by default, turned on, the URL and key to copy, client snippets, a request from a client listed. */
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openServedPage, type ServedPage } from './serve-process';

let served: ServedPage;
let page: Page;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  served = await openServedPage({ route: '/library', heading: 'Library' });
  page = served.page;
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

describe('the Local API page', () => {
  it('is off until turned on, then shows the base URL and key, and lists a client’s requests', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Local API' }).click();
    await page.getByRole('heading', { level: 1, name: 'Local API' }).waitFor();
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Server' }) });
    await card.scrollIntoViewIfNeeded();
    const toggle = card.getByRole('switch', { name: 'Local API' });
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    const port = await freePort();
    await card.getByLabel('Local API port').fill(String(port));
    await card.getByLabel('Local API port').blur();
    await toggle.click();
    await card.getByTestId('local-api-running').getByText(`http://127.0.0.1:${port}/v1`).waitFor();
    await card.getByRole('button', { name: 'Show the key' }).click();
    await expect.poll(async () => (await card.getByTestId('local-api-key').textContent()) ?? '').toMatch(/^hc-[A-Za-z0-9_-]{30,}$/);
    const key = (await card.getByTestId('local-api-key').textContent()) ?? '';

    const res = await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ object: 'list', data: [] });
    // The page lists the same ids /v1/models gives (none yet), and says where models come from.
    await page.getByTestId('api-model-ids').waitFor({ state: 'attached' });
    await page.getByText('No GGUF model in your Library yet').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'local-api-page.png'), fullPage: true });
    expect((await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const table = card.getByRole('table', { name: 'Recent API requests' });
    await table.getByText('401').waitFor();
    await table.getByText('200').waitFor();
    await card.screenshot({ path: path.join(SHOTS, 'settings-local-api.png') });
    // A chip in the status bar says it is on, from any page, and opens this page.
    await page.goto(`${page.url().split('#')[0]}#/library`);
    await page.getByTestId('status-local-api').click();
    await page.getByRole('heading', { level: 1, name: 'Local API' }).waitFor();
    expect(await page.getByTestId('status-local-api').textContent()).toBe(`Local API on 127.0.0.1:${port}`);

    // Snippets for each client, with this URL and never the key.
    const snippet = page.getByTestId('snippet');
    expect(await snippet.textContent()).toContain(`curl http://127.0.0.1:${port}/v1/chat/completions`);
    for (const client of ['Python (openai)', 'JavaScript (openai)', 'Continue', 'Open WebUI']) {
      await page.getByRole('tab', { name: client }).click();
      expect(await snippet.textContent()).toContain(`http://127.0.0.1:${port}/v1`);
      expect(await snippet.textContent()).not.toContain(key);
    }
    await page.screenshot({ path: path.join(SHOTS, 'local-api-page.png'), fullPage: true });
    await page.setViewportSize({ width: 720, height: 900 });
    await page.screenshot({ path: path.join(SHOTS, 'local-api-page-720.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SHOTS, 'local-api-page-720-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });

    await toggle.click();
    await card.getByTestId('local-api-running').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('status-local-api').count()).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/v1/models`)).rejects.toThrow();
  }, 60_000);
});
