/**
 * The Cache page's repo list is as tall as its rows, up to a bound where it scrolls: one cached
 * repo is one row, not a row over a tall empty box (the list had a fixed 28rem height). Saved at
 * 720 and 1280 px, light and dark, with one repo and with many
 * (`cache-list-<one|many>-<width>-<scheme>.png`) for a person to look at.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { commitOf, writePythonRevision } from '../helpers/python-cache';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openWithFakeHub, type HubServedPage } from './serve-process';

/** A row of the virtual list (RepoList's estimateSize); the box adds its 1 px borders. */
const ROW = 52;
const MANY = 14;

/** `count` small repos in the served app's HF cache, Python-style, before it starts. */
function cacheOf(count: number) {
  return ({ hfHome }: { hfHome: string }) => {
    for (let i = 0; i < count; i++) {
      const folder = `models--acme--cached-${String(i).padStart(2, '0')}`;
      writePythonRevision(path.join(hfHome, 'hub'), folder, commitOf(folder), [{ path: 'config.json', data: `{"i":${i}}` }], { refs: ['main'] });
    }
  };
}

/** The list's box, and the height of the rows it holds. */
async function measure(page: Page): Promise<{ box: number; rows: number; scrolls: boolean }> {
  const list = page.getByTestId('repo-list');
  await list.getByRole('button').first().waitFor();
  return list.evaluate((el) => ({
    box: el.getBoundingClientRect().height,
    rows: (el.firstElementChild as HTMLElement).getBoundingClientRect().height,
    scrolls: el.scrollHeight > el.clientHeight,
  }));
}

async function eachLook(page: Page, name: string, check: (m: { box: number; rows: number; scrolls: boolean }) => void) {
  for (const width of [720, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForFunction((dark) => document.documentElement.classList.contains('dark') === dark, scheme === 'dark');
      const m = await measure(page);
      check(m);
      await page.screenshot({ path: path.join(SHOTS, `cache-list-${name}-${width}-${scheme}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('the cache list with one repo', () => {
  let app: HubServedPage;
  beforeAll(async () => {
    app = await openWithFakeHub({ before: cacheOf(1), route: '/cache' });
  }, 120_000);
  afterAll(() => app?.close());
  screenshotOnFailure(() => app?.page);

  it('is one row tall, at 720 px and wide, light and dark', async () => {
    await eachLook(app.page, 'one', (m) => {
      expect(m.rows).toBe(ROW);
      // The row and its borders, not a row over an empty box.
      expect(m.box).toBeLessThanOrEqual(ROW + 4);
      expect(m.scrolls).toBe(false);
    });
  }, 60_000);
});

describe('the cache list with many repos', () => {
  let app: HubServedPage;
  beforeAll(async () => {
    app = await openWithFakeHub({ before: cacheOf(MANY), route: '/cache' });
  }, 120_000);
  afterAll(() => app?.close());
  screenshotOnFailure(() => app?.page);

  it('stops growing at its bound and scrolls the rest, at 720 px and wide, light and dark', async () => {
    await eachLook(app.page, 'many', (m) => {
      expect(m.rows).toBe(MANY * ROW);
      // 28rem of 16 px, and its borders.
      expect(m.box).toBeLessThanOrEqual(448 + 2);
      expect(m.box).toBeGreaterThan(400);
      expect(m.scrolls).toBe(true);
    });
  }, 60_000);
});
