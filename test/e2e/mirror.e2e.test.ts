/** Settings › Share models on this network in Chromium: off by default, turned on, the one line to give others, a client served through it, the figures, a new key, off again. */
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openWithFakeHub, type HubServedPage } from './serve-process';

let served: HubServedPage;
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
  served = await openWithFakeHub();
  page = served.page;
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

describe('Settings › Share models on this network', () => {
  it('is off until turned on, then gives the HF_ENDPOINT line, serves a client, counts it, and a new key retires the old line', async () => {
    await page.goto(`${served.serve.baseUrl}#/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Share models on this network' }) });
    await card.scrollIntoViewIfNeeded();
    const toggle = card.getByRole('switch', { name: 'Share models on this network' });
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    expect(await card.getByLabel('Interface').inputValue()).toBe('127.0.0.1');
    await card.screenshot({ path: path.join(SHOTS, 'settings-mirror-off.png') });
    const port = await freePort();
    await card.getByLabel('Mirror port').fill(String(port));
    await card.getByLabel('Mirror port').blur();
    await toggle.click();
    const line = card.getByTestId('mirror-endpoint');
    await line.waitFor();
    // Masked until asked for.
    expect(await line.textContent()).toMatch(new RegExp(`^HF_ENDPOINT=http://127\\.0\\.0\\.1:${port}/hc-.{2}…`));
    await card.getByRole('button', { name: 'Show the key' }).click();
    await expect.poll(async () => (await line.textContent()) ?? '').toMatch(new RegExp(`^HF_ENDPOINT=http://127\\.0\\.0\\.1:${port}/hc-[A-Za-z0-9_-]{30,}$`));
    const endpoint = ((await line.textContent()) ?? '').slice('HF_ENDPOINT='.length);

    // A client on the line: a public file the cache lacks is fetched once and passed on.
    const res = await fetch(`${endpoint}/acme/tiny-llm/resolve/main/config.json`);
    expect(res.status).toBe(200);
    expect((await fetch(`${endpoint}/acme/tiny-llm/resolve/main/config.json`)).status).toBe(200);
    const figures = card.getByRole('definition');
    await expect.poll(async () => (await figures.allTextContents()).join(' | '), { timeout: 15_000 }).toMatch(/ \| 56 B \| 0 B \| \d+ B$/);
    await card.screenshot({ path: path.join(SHOTS, 'settings-mirror-on.png') });

    // Every interface: the warning serve --host gives.
    await card.getByLabel('Interface').selectOption('0.0.0.0');
    await card.getByText('Listening on 0.0.0.0; anyone who can reach it and has the key can download what this cache holds.').waitFor();
    await page.setViewportSize({ width: 720, height: 900 });
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'settings-mirror-720.png'), fullPage: true });
    await card.screenshot({ path: path.join(SHOTS, 'settings-mirror-card-720.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await card.screenshot({ path: path.join(SHOTS, 'settings-mirror-card-720-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
    await card.getByLabel('Interface').selectOption('127.0.0.1');

    // A new key: the old line has nothing any more.
    await card.getByTestId('mirror-endpoint').waitFor();
    await card.getByRole('button', { name: 'New key' }).click();
    await expect.poll(async () => (await fetch(`${endpoint.replace('0.0.0.0', '127.0.0.1')}/acme/tiny-llm/resolve/main/config.json`)).status).toBe(404);

    await toggle.click();
    await card.getByTestId('mirror-running').waitFor({ state: 'detached' });
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  }, 90_000);
});
