/**
 * One look at any width: every page, with something in it, at 1280, 1024, 900 and 720 px, never
 * scrolls sideways, keeps one left edge, and is saved at 1280 and 900 px in light and dark
 * (`layout-<page>-<width>-<scheme>.png`) for a person to look at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { testModel } from '../helpers/inference';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openWithFakeHub, type HubServedPage, type ServeProcess } from './serve-process';

let served: HubServedPage;
let serve: ServeProcess;
let page: Page;

const PAGES: { name: string; route: string; ready: (p: Page) => Promise<unknown> }[] = [
  { name: 'gallery', route: '/gallery', ready: (p) => p.getByTestId('model-card').first().waitFor() },
  { name: 'model', route: `/model/${encodeURIComponent('acme/tiny-llm')}`, ready: (p) => p.getByTestId('gguf-row').first().waitFor() },
  { name: 'library', route: '/library', ready: (p) => p.getByTestId('library-item').first().waitFor() },
  { name: 'downloads', route: '/downloads', ready: (p) => p.getByTestId('download-job').first().waitFor() },
  { name: 'cache', route: '/cache', ready: (p) => p.getByRole('group', { name: 'Disk usage by repo and revision' }).waitFor() },
  { name: 'chat', route: '/chat', ready: (p) => p.getByRole('textbox', { name: 'Message' }).waitFor() },
  { name: 'account', route: '/account', ready: (p) => p.getByRole('heading', { level: 1, name: 'Account' }).waitFor() },
  { name: 'settings', route: '/settings', ready: (p) => p.getByTestId('hardware').waitFor() },
  { name: 'publish', route: '/publish', ready: (p) => p.getByRole('button', { name: 'Review' }).waitFor() },
  { name: 'local-api', route: '/local-api', ready: (p) => p.getByRole('switch', { name: 'Local API' }).waitFor() },
];

beforeAll(async () => {
  served = await openWithFakeHub();
  ({ serve, page } = served);
  // Something on every page: a download (Downloads, Cache), a model (Library, Chat), a chat.
  await page.goto(`${serve.baseUrl}#/downloads`);
  await page.getByLabel('Repo id').fill('acme/tiny-llm');
  await page.getByLabel('Files or patterns').fill('README.md config.json tiny-llm-Q4_K_M.gguf');
  await page.getByRole('button', { name: 'Download', exact: true }).click();
  await page.locator('[data-testid="download-job"][data-state="done"]').first().waitFor({ timeout: 30_000 });
  await page.goto(`${serve.baseUrl}#/library`);
  await page.getByTestId('library-item').first().waitFor();
  await page
    .getByLabel('Model files')
    .setInputFiles([{ name: 'tiny-llama-F32.gguf', mimeType: 'application/octet-stream', buffer: fs.readFileSync(testModel()) }]);
  const card = page.getByTestId('library-item').filter({ hasText: 'tiny-llama-F32.gguf' });
  await card.waitFor({ timeout: 15_000 }).catch(async (e: unknown) => {
    await page.screenshot({ path: path.join(SHOTS, 'failed-layout-setup.png'), fullPage: true });
    throw e;
  });
  await page.goto(`${serve.baseUrl}#/chat`);
  await page
    .getByRole('button', { name: /Start a chat|New chat/ })
    .first()
    .click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}, 120_000);
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

/** Elements that scroll sideways (the page itself, or any scroll box but code), by a short description. */
function sidewaysScrollers(p: Page): Promise<string[]> {
  return p.evaluate(() => {
    const out: string[] = [];
    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) out.push(`page (${root.scrollWidth} > ${root.clientWidth})`);
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      if (el.closest('pre, code')) continue;
      const style = getComputedStyle(el);
      if (!['auto', 'scroll'].includes(style.overflowX)) continue;
      if (el.scrollWidth > el.clientWidth + 1)
        out.push(`${el.tagName.toLowerCase()}.${el.className.toString().split(' ').slice(0, 3).join('.')} (${el.scrollWidth} > ${el.clientWidth})`);
    }
    return out;
  });
}

/** The left edge of the page's content (its h1), so every page lines up. */
function headingLeft(p: Page): Promise<number> {
  return p.evaluate(() => Math.round(document.querySelector('main h1, h1')?.getBoundingClientRect().left ?? -1));
}

describe('every page at every width', () => {
  for (const width of [1280, 1024, 900, 720]) {
    it(`never scrolls sideways at ${width} px, and lines pages up on one left edge`, async () => {
      await page.setViewportSize({ width, height: 900 });
      const lefts = new Map<string, number>();
      for (const schemeName of width === 1280 || width === 900 ? (['light', 'dark'] as const) : (['light'] as const)) {
        await page.emulateMedia({ colorScheme: schemeName });
        for (const { name, route, ready } of PAGES) {
          await page.goto(`${serve.baseUrl}#${route}`);
          await ready(page);
          // Let fonts, fit badges and the virtual list settle before measuring.
          await page.waitForTimeout(150);
          expect(await sidewaysScrollers(page), `${name} at ${width} px`).toEqual([]);
          if (name !== 'chat') lefts.set(name, await headingLeft(page));
          if (width === 1280 || width === 900) await page.screenshot({ path: path.join(SHOTS, `layout-${name}-${width}-${schemeName}.png`) });
        }
      }
      // Chat is a full-height workspace with its own columns; every other page shares the edge.
      expect(new Set(lefts.values()).size, JSON.stringify(Object.fromEntries(lefts))).toBe(1);
      await page.emulateMedia({ colorScheme: 'light' });
    }, 120_000);
  }

  it('collapses the sidebar to named icons below 1024 px, and shows the chat list as a panel', async () => {
    await page.setViewportSize({ width: 900, height: 900 });
    await page.goto(`${serve.baseUrl}#/library`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.waitFor();
    expect((await nav.boundingBox())?.width).toBeLessThan(80);
    expect(await nav.getByRole('link', { name: 'Library' }).count()).toBe(1);
    await page.goto(`${serve.baseUrl}#/chat`);
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await page.getByRole('button', { name: 'Show chats' }).click();
    const panel = page.getByRole('dialog');
    await panel.getByTestId('conversation').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'layout-chat-900-list-panel.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
