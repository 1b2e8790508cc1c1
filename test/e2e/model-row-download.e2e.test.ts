/**
 * Feedback where the click was (#29 point 2): a download started on a model page shows its bar,
 * speed, Pause and Cancel in that row, and the Files card stays as it was; a failure shows in the
 * row with its fix (Request access, Sign in), not only on the Downloads page.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FakeHub } from '../fakehub/server';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openWithFakeHub, type HubServedPage, type ServeProcess } from './serve-process';

let served: HubServedPage;
let serve: ServeProcess;
let hub: FakeHub;
let page: Page;

beforeAll(async () => {
  served = await openWithFakeHub();
  ({ serve, page, hub } = served);
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

describe('a download in its row', () => {
  it('shows progress, speed, Pause and Cancel in the row, and Resume finishes it there', async () => {
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 300_000, times: 20 });
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('acme/tiny-llm')}`);
    const row = page.getByTestId('gguf-row').filter({ hasText: 'Q8_0' });
    await row.getByRole('button', { name: 'Download Q8_0' }).click();
    const live = page.getByTestId('row-download');
    await live.waitFor({ timeout: 15_000 });
    await expect.poll(() => live.getByTestId('row-download-stats').textContent(), { timeout: 15_000 }).toMatch(/% of 5\.24 MB · [\d.]+ [kM]?B\/s · ETA/);
    expect(await live.getByRole('progressbar').count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'model-row-downloading.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SHOTS, 'model-row-downloading-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    await live.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => live.getAttribute('data-job-state')).toBe('paused');
    expect(await live.getByTestId('row-download-stats').textContent()).toMatch(/paused/);
    hub.faults.clear();
    await live.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => row.getByTestId('group-state').getAttribute('data-state'), { timeout: 30_000 }).toBe('downloaded');
    expect(await page.getByTestId('row-download').count()).toBe(0);
  });

  it('a download from the Files card keeps the card open, and Cancel in the row asks first', async () => {
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 50_000, times: 20 });
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('acme/split-llm')}`);
    const group = page.locator('[data-testid="file-group"][data-kind="mmproj"]');
    await group.locator('summary').click();
    expect(await group.locator('details').getAttribute('open')).not.toBeNull();
    await group.getByRole('button', { name: /^Download / }).click();
    await group.getByTestId('row-download').waitFor({ timeout: 15_000 });
    // The click was on the button, not on the list: it stays open.
    expect(await group.locator('details').getAttribute('open')).not.toBeNull();
    await group.getByTestId('row-download').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel download' }).click();
    await expect.poll(() => group.getByTestId('row-download').count(), { timeout: 15_000 }).toBe(0);
    hub.faults.clear();
  });

  it('a gated download fails in its row with Request access and Sign in', async () => {
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('acme/gated-llm')}`);
    const row = page.getByTestId('gguf-row').first();
    await row.getByRole('button', { name: /^Download / }).click();
    const problem = page.getByTestId('gguf-row-download').getByTestId('download-problem');
    await problem.waitFor({ timeout: 20_000 });
    expect(await problem.getAttribute('data-code')).toBe('GATED');
    expect(await problem.getByRole('link', { name: 'Request access' }).getAttribute('href')).toBe(`${hub.url}/acme/gated-llm`);
    expect(await problem.getByRole('link', { name: 'Sign in' }).count()).toBe(1);
    expect(await row.getByTestId('group-state').getAttribute('data-state')).toBe('failed');
    await page.screenshot({ path: path.join(SHOTS, 'model-row-gated-failure.png'), fullPage: true });
    await page.setViewportSize({ width: 720, height: 900 });
    await page.screenshot({ path: path.join(SHOTS, 'model-row-gated-failure-720.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
