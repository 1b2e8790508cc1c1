/** Dropping checkpoints onto the window under `hubcap serve`: streamed to the server, validated, listed. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { sampleGguf } from '../fixtures/gguf-writer';
import { SHOTS, screenshotOnFailure } from './chromium';
import { dropFiles } from './drop-files';
import { openServedPage, type ServedPage, type ServeProcess } from './serve-process';

let served: ServedPage;
let serve: ServeProcess;
let page: Page;

beforeAll(async () => {
  served = await openServedPage({ env: { HF_HUB_OFFLINE: '1' }, route: '/library', heading: 'Library' });
  ({ serve, page } = served);
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

const drop = (files: { name: string; bytes: number[] }[], release = true) => dropFiles(page, files, release);

describe('drag in local checkpoints', () => {
  it('shows a drop overlay while files are dragged over the window', async () => {
    await expect.poll(() => page.textContent('main')).toMatch(/Your Library is empty/);
    await drop([{ name: 'x.gguf', bytes: [1] }], false);
    await page.getByTestId('drop-overlay').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'library-drop-overlay.png') });
    await page.evaluate(() => window.dispatchEvent(new DragEvent('dragleave', { bubbles: true })));
    await expect.poll(() => page.getByTestId('drop-overlay').count()).toBe(0);
  });

  it('adds a dropped GGUF, reading its header, and refuses a bad file with a specific reason', async () => {
    const good = [...sampleGguf({ name: 'Dropped', fileType: 15 })];
    const bad = [...Buffer.from('PK\x03\x04 not a model')];
    await drop([
      { name: 'dropped-Q4_K_M.gguf', bytes: good },
      { name: 'fake.gguf', bytes: bad },
    ]);
    const result = page.getByTestId('drop-result');
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toMatch(/Added dropped-Q4_K_M\.gguf.*fake\.gguf: Not a GGUF file/);
    const card = page.getByTestId('library-item').filter({ hasText: 'dropped-Q4_K_M.gguf' });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.textContent()).toMatch(/llama.*Q4_K_M.*4,096 ctx/);
    await page.screenshot({ path: path.join(SHOTS, 'library.png') });
    // The refused file left nothing behind in the managed folder.
    const models = path.join(serve.dataDir, 'models');
    const kept = fs.readdirSync(models).flatMap((d) => fs.readdirSync(path.join(models, d)));
    expect(kept).toEqual(['dropped-Q4_K_M.gguf']);
  });

  it('adds files chosen with "Add files…" (uploaded under serve)', async () => {
    await page
      .getByLabel('Model files')
      .setInputFiles([{ name: 'picked.gguf', mimeType: 'application/octet-stream', buffer: sampleGguf({ name: 'Picked', fileType: 7 }) }]);
    const card = page.getByTestId('library-item').filter({ hasText: 'picked.gguf' });
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
    expect(await card.textContent()).toMatch(/Q8_0/);
  });

  it('recognises the same file dropped twice', async () => {
    await drop([{ name: 'again.gguf', bytes: [...sampleGguf({ name: 'Dropped', fileType: 15 })] }]);
    await expect.poll(() => page.getByTestId('drop-result').textContent(), { timeout: 15_000 }).toMatch(/same file is already in your Library/);
    expect(await page.getByTestId('library-item').count()).toBe(2);
  });
});
