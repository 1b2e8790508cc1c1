/**
 * Ask before the expensive mistake (#29 point 3) and Library cards that say what they do (point 9):
 * a quantization marked too big asks with the numbers before downloading; removing the model that
 * is loaded says so first and unloads it; a card names its actions, says "never used" and
 * "Loaded", and never shows the internal folder an upload went to.
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

beforeAll(async () => {
  served = await openWithFakeHub();
  ({ serve, page } = served);
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('asked first', () => {
  it('a quantization marked too big asks, with the numbers, before downloading', async () => {
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('hubcap-test/tiny-llama-GGUF')}`);
    const row = page.getByTestId('gguf-row').filter({ hasText: 'F16' });
    await row.getByTestId('fit-badge').waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('fit-badge').getAttribute('data-verdict')).toBe('too-big');
    await row.getByRole('button', { name: 'Download F16' }).click();
    const dialog = page.getByRole('dialog', { name: 'Download F16 anyway?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/Too big for this machine: needs about .* of RAM/);
    expect(await dialog.getByTestId('ask-numbers').textContent()).toMatch(/The download is 831 kB\. This machine has [\d.]+ GB of RAM/);
    await page.screenshot({ path: path.join(SHOTS, 'too-big-confirm.png') });
    await dialog.getByRole('button', { name: 'Keep' }).click();
    expect(await page.getByTestId('row-download').count()).toBe(0);
    expect(served.hub.log.some((l) => l.url.includes('huge-llama-F16.gguf') && l.origin === 'cdn')).toBe(false);

    await row.getByRole('button', { name: 'Download F16' }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /^Download anyway/ })
      .click();
    await expect.poll(() => row.getByTestId('group-state').getAttribute('data-state'), { timeout: 30_000 }).toBe('downloaded');
    // One not marked too big downloads at once (tiny-llm's files have no estimate at all).
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('acme/tiny-llm')}`);
    await page.getByTestId('gguf-row').filter({ hasText: 'Q4_K_M' }).getByRole('button', { name: 'Download Q4_K_M' }).click();
    await page.getByTestId('row-download').or(page.locator('[data-state="downloaded"]')).first().waitFor({ timeout: 15_000 });
    expect(await page.getByRole('dialog').count()).toBe(0);
  });

  it('a Library card names its actions, says never used, Loaded when loaded, and shows no internal path', async () => {
    await page.goto(`${serve.baseUrl}#/library`);
    await page
      .getByLabel('Model files')
      .setInputFiles([{ name: 'tiny-llama-F32.gguf', mimeType: 'application/octet-stream', buffer: fs.readFileSync(testModel()) }]);
    // The upload is the one local item (the F32 downloaded above is the cache's).
    const local = page.locator('[data-testid="library-item"][data-source="local"]');
    await local.waitFor({ timeout: 15_000 });
    expect(await local.getByTestId('item-where').textContent()).toBe("In Hubcap's models folder");
    expect(await local.innerText()).not.toMatch(UUID);
    expect(await local.getByTestId('item-facts').textContent()).toMatch(/never used/);
    const labels = (await local.getByRole('button').allInnerTexts()).concat(await local.getByRole('link').allInnerTexts()).map((t) => t.trim());
    expect(labels).toEqual(expect.arrayContaining(['Chat', 'Publish', 'Remove', 'Show file']));
    await page.screenshot({ path: path.join(SHOTS, 'library-cards.png'), fullPage: true });

    await local.getByRole('button', { name: /^Chat with/ }).click();
    await page.getByTestId('loaded-model').waitFor({ timeout: 90_000 });
    await page.goto(`${serve.baseUrl}#/library`);
    await local.getByTestId('item-loaded').waitFor();
    expect(await local.getByTestId('item-facts').textContent()).toMatch(/loaded now/);
    expect(await page.getByTestId('item-loaded').count()).toBe(1);
    await page.setViewportSize({ width: 720, height: 900 });
    await page.screenshot({ path: path.join(SHOTS, 'library-cards-720.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SHOTS, 'library-cards-720-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('removing the loaded model says so first, and unloads it', async () => {
    const local = page.locator('[data-testid="library-item"][data-source="local"]');
    await local.getByRole('button', { name: /^Remove / }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByTestId('remove-loaded').textContent()).toMatch(/is loaded now: Chat and the Local API answer with it/);
    await page.screenshot({ path: path.join(SHOTS, 'remove-loaded.png') });
    await dialog.getByRole('button', { name: 'Unload and forget it' }).click();
    await expect.poll(() => local.count(), { timeout: 30_000 }).toBe(0);
    await page.goto(`${serve.baseUrl}#/chat`);
    await page.getByLabel('Model').waitFor();
    expect(await page.getByTestId('loaded-model').count()).toBe(0);
  });
});
