/**
 * One source of truth for the session (#29 point 1): signing in or out on Account, or switching
 * offline mode, reaches every page at once, without a reload. Each page is visited first so the
 * stale answer is really in the tab's memory before the change.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { standardRepos, TOKENS } from '../fakehub/fixtures';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openWithFakeHub, type HubServedPage, type ServeProcess } from './serve-process';

const BOB_WRITE = Object.keys(TOKENS)[1] as string;

let served: HubServedPage;
let serve: ServeProcess;
let page: Page;

beforeAll(async () => {
  served = await openWithFakeHub({}, { repos: standardRepos(), tokens: TOKENS });
  ({ serve, page } = served);
  // Set once: still there at the end means no test reloaded the page.
  await page.evaluate(() => ((window as unknown as { __sameTab: number }).__sameTab = 1));
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

const go = (route: string) => page.goto(`${serve.baseUrl}#${route}`);
const sameTab = () => page.evaluate(() => (window as unknown as { __sameTab?: number }).__sameTab);

describe('one truth for the session', () => {
  it('Publish knows about a sign-in and a sign-out on Account at once', async () => {
    await go('/publish');
    await page
      .getByTestId('token-status')
      .getByText(/Not signed in/)
      .waitFor();
    expect(await page.getByLabel('Owner').locator('option').allTextContents()).toContain('Sign in first');

    await go('/account');
    await page
      .getByRole('button', { name: /Sign in|Add a token/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Access token').fill(BOB_WRITE);
    await dialog.getByRole('button', { name: 'Check and save' }).click();
    await expect.poll(() => page.getByTestId('status-account').textContent()).toBe('Signed in as bob (write)');

    await go('/publish');
    await page
      .getByTestId('token-status')
      .getByText(/Publishing as bob/)
      .waitFor();
    await expect
      .poll(() => page.getByLabel('Owner').locator('option').allTextContents())
      .toEqual(expect.arrayContaining(['bob', expect.stringMatching(/^acme/)]));
    expect(await page.getByLabel('Owner').locator('option').allTextContents()).not.toContain('Sign in first');
    await page.screenshot({ path: path.join(SHOTS, 'session-publish-after-sign-in.png'), fullPage: true });

    await go('/account');
    await page
      .getByRole('button', { name: /^Log out/ })
      .first()
      .click();
    await expect.poll(() => page.getByTestId('status-account').textContent()).toBe('Anonymous');
    await go('/publish');
    await page
      .getByTestId('token-status')
      .getByText(/Not signed in/)
      .waitFor();
    expect(await sameTab()).toBe(1);
  });

  it('a model page follows offline mode both ways', async () => {
    // Something of tiny-llm in the cache, so the offline page has what to show.
    await go('/downloads');
    await page.getByLabel('Repo id').fill('acme/tiny-llm');
    await page.getByLabel('Files or patterns').fill('README.md');
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await expect.poll(() => page.getByTestId('download-job').first().getAttribute('data-state'), { timeout: 20_000 }).toBe('done');

    const model = `/model/${encodeURIComponent('acme/tiny-llm')}`;
    await go(model);
    await page.getByRole('heading', { level: 1, name: 'acme/tiny-llm' }).waitFor();
    await page.getByRole('link', { name: 'Open on the Hub' }).waitFor();
    expect(await page.getByTestId('from-cache').count()).toBe(0);

    await go('/settings');
    await page.getByLabel('Offline mode').click();
    await expect.poll(() => page.getByTestId('status-hub').textContent()).toBe('Offline');
    await go(model);
    await page.getByTestId('from-cache').waitFor();
    expect(await page.getByTestId('from-cache').textContent()).toMatch(/offline/);

    await go('/settings');
    await page.getByLabel('Offline mode').click();
    await expect.poll(() => page.getByTestId('status-hub').textContent()).toBe('Online');
    await go(model);
    await page.getByRole('link', { name: 'Open on the Hub' }).waitFor();
    expect(await page.getByTestId('from-cache').count()).toBe(0);
    expect(await sameTab()).toBe(1);
  });
});
