/**
 * Finding a model the way people paste it (#29 point 5): a Hub URL (with /tree/…, /blob/…/file or
 * ?… suffixes), hf.co/org/name, org/name and Ollama's hf.co/org/name:QUANT land on the model, on
 * the revision, quantization or file they name. The page marks the quantization to pick on this
 * machine, and a vision projector as such.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openWithFakeHub, type HubServedPage, type ServeProcess } from './serve-process';

let served: HubServedPage;
let serve: ServeProcess;
let page: Page;
/** Uncaught errors in the page (a crash leaves a blank window that a locator only times out on). */
const pageErrors: string[] = [];

beforeAll(async () => {
  served = await openWithFakeHub();
  ({ serve, page } = served);
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

const hash = () => page.evaluate(() => decodeURIComponent(location.hash));
const search = () => page.getByLabel('Search models');

async function openGallery() {
  await page.goto(`${serve.baseUrl}#/gallery`);
  await search().waitFor();
}

/** A real paste event, as Ctrl+V makes it (the clipboard itself is not reachable headless). */
async function paste(text: string) {
  await search().focus();
  await page.evaluate((t) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    document.activeElement?.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

describe('pasted model names', () => {
  it('a pasted Hub file URL opens the model on that file', async () => {
    await openGallery();
    await paste('https://huggingface.co/acme/tiny-llm/blob/main/tiny-llm-Q8_0.gguf?download=true');
    await expect.poll(hash).toBe('#/model/acme/tiny-llm?file=tiny-llm-Q8_0.gguf');
    await page.getByRole('heading', { level: 1, name: 'acme/tiny-llm' }).waitFor();
    const focused = page.locator('[data-testid="gguf-row"][data-focused="true"]');
    await focused.waitFor();
    expect(await focused.textContent()).toMatch(/Q8_0/);
    expect(await page.locator('[data-focused="true"]').count()).toBe(1);
  });

  it('a pasted /tree/<revision> URL opens that revision', async () => {
    await openGallery();
    await paste('https://huggingface.co/acme/tiny-llm/tree/v1.0');
    await expect.poll(hash).toBe('#/model/acme/tiny-llm?revision=v1.0');
    await expect.poll(() => page.getByLabel('Revision').inputValue()).toBe('v1.0');
  });

  it("Ollama's hf.co/org/name:QUANT, typed and Enter, opens the model on that quantization, marked as the one for this machine", async () => {
    await openGallery();
    await search().fill('hf.co/hubcap-test/tiny-llama-GGUF:F32');
    await page.getByTestId('model-jump').getByText('hubcap-test/tiny-llama-GGUF').waitFor();
    await search().press('Enter');
    await page.getByRole('heading', { level: 1, name: 'hubcap-test/tiny-llama-GGUF' }).waitFor();
    const focused = page.locator('[data-testid="gguf-row"][data-focused="true"]');
    await focused.waitFor();
    expect(await focused.textContent()).toMatch(/F32/);
    // The tiny model fits; the 70B-shaped header does not, and is never the recommendation.
    const recommended = page.getByTestId('recommended');
    await recommended.waitFor({ timeout: 30_000 });
    expect(await recommended.count()).toBe(1);
    expect(await page.getByTestId('gguf-row').filter({ has: recommended }).textContent()).toMatch(/tiny-llama-F32/);
    await page.screenshot({ path: path.join(SHOTS, 'model-page-recommended.png'), fullPage: true });
    await page.setViewportSize({ width: 720, height: 900 });
    await page.screenshot({ path: path.join(SHOTS, 'model-page-recommended-720.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SHOTS, 'model-page-recommended-720-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('org/name and Enter opens the model, whose vision projector is labelled as one', async () => {
    await openGallery();
    await search().fill('acme/split-llm');
    await search().press('Enter');
    await page.getByRole('heading', { level: 1, name: 'acme/split-llm' }).waitFor();
    const projector = page.locator('[data-testid="file-group"][data-kind="mmproj"]');
    await projector.waitFor();
    expect(await projector.getByTestId('vision-projector').textContent()).toMatch(/Vision projector/);
    expect(await projector.textContent()).toMatch(/not a model on its own/);
    expect(await page.getByTestId('gguf-row').filter({ hasText: 'mmproj' }).count()).toBe(0);
  });

  it('plain words stay a search, and a name the page lacks is said', async () => {
    await openGallery();
    await search().fill('tiny');
    await search().press('Enter');
    await expect.poll(() => page.getByTestId('model-card').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('model-jump').count()).toBe(0);
    expect(await hash()).toMatch(/^#\/gallery/);
    await page.goto(`${serve.baseUrl}#/model/${encodeURIComponent('acme/tiny-llm')}?quant=Q2_K`);
    expect(await page.getByTestId('focus-missing').innerText()).toMatch(/acme\/tiny-llm has no quantization “Q2_K” at main/);
    expect(pageErrors).toEqual([]);
  });
});
