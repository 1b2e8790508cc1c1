/**
 * #30 in the browser: the Cache page's readable file list (real paths, the blob each resolves to,
 * the folder from_pretrained accepts), "Use in another app" placing a diffusers repo in ComfyUI's
 * folders by symlink, the Cache page saying where the model is also used, and the delete preview
 * naming the links it would break; "Download to a folder…" on the model page. Screenshots light and
 * dark at 720 px (looked at).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openServedPage, openWithFakeHub, type ServedPage } from './serve-process';
import { exportCache, SD } from '../export/models';

let served: ServedPage;
let page: Page;
let comfy = '';

/** Light and dark at 720 px, scrolled to `testId` (the page scrolls inside its main area, so a full-page shot would not reach it). */
async function shots(name: string, testId = 'repo-detail'): Promise<void> {
  await page.setViewportSize({ width: 720, height: 900 });
  await page.getByTestId(testId).first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, `${name}-720.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(SHOTS, `${name}-720-dark.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
}

beforeAll(async () => {
  served = await openServedPage({
    route: `/cache/${encodeURIComponent('model:acme/sd-mix')}`,
    env: { HF_HUB_OFFLINE: '1' },
    before: ({ home, hfHome }) => {
      exportCache(path.join(hfHome, 'hub'));
      comfy = path.join(home, 'ComfyUI', 'models');
      fs.mkdirSync(comfy, { recursive: true });
    },
  });
  page = served.page;
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

describe('models as plain folders (#30)', () => {
  it('shows each file with its blob and the snapshot folder to copy', async () => {
    const detail = page.getByTestId('repo-detail');
    await detail.getByRole('button', { name: 'Files' }).click();
    await detail.getByTestId('snapshot-path').waitFor();
    expect(await detail.getByTestId('snapshot-path').textContent()).toMatch(new RegExp(`models--acme--sd-mix/snapshots/${SD}$`));
    await expect.poll(() => detail.getByTestId('file-list').textContent()).toMatch(/unet\/diffusion_pytorch_model\.safetensors.*blob [0-9a-f]{12}…/);
    await page.screenshot({ path: path.join(SHOTS, 'cache-files-readable.png') });
    await shots('cache-files-readable', 'file-list');
  });

  it('places the repo in ComfyUI’s folders by symlink, then says where it is also used and what a delete breaks', async () => {
    const detail = page.getByTestId('repo-detail');
    await detail.getByRole('button', { name: /in another app/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('export-items').waitFor();
    await expect
      .poll(() => dialog.getByTestId('export-items').textContent())
      .toMatch(/diffusion_models\/sd-mix-unet\.safetensors.*vae\/sd-mix-vae\.safetensors/);
    expect(await dialog.getByTestId('export-modes').textContent()).toMatch(/symlink: A link into the cache: no extra space, but it breaks/);
    // ext4 cannot clone: nothing is placed until a way is chosen.
    expect(await dialog.getByRole('button', { name: /^Place/ }).isDisabled()).toBe(true);
    await dialog.getByLabel('How').selectOption('symlink');
    await shots('use-in-app-dialog', 'export-items');
    await dialog.getByRole('button', { name: /^Place/ }).click();
    await dialog.getByTestId('export-done').waitFor();
    expect(fs.lstatSync(path.join(comfy, 'vae', 'sd-mix-vae.safetensors')).isSymbolicLink()).toBe(true);
    await dialog.getByRole('button', { name: 'Done' }).click();

    await detail.getByTestId('also-used-in').waitFor();
    expect(await detail.getByTestId('also-used-in').textContent()).toMatch(/ComfyUI.*symlink.*2 files/);
    await shots('cache-also-used-in', 'also-used-in');

    await detail.getByRole('button', { name: /Delete revision/ }).click();
    const preview = page.getByTestId('delete-used-elsewhere');
    await preview.waitFor();
    expect(await preview.textContent()).toMatch(/Also used in ComfyUI .*: 2 files, 2 links into the cache that will stop working/);
    await shots('cache-delete-exported', 'delete-plan');
    await page.getByRole('button', { name: 'Keep' }).click();
  });
});

describe('Download to a folder… (#30.1)', () => {
  it('downloads a revision into a plain folder with Python’s metadata', async () => {
    const hubbed = await openWithFakeHub();
    try {
      const p = hubbed.page;
      await p.goto(`${hubbed.serve.baseUrl}#/model/${encodeURIComponent('acme/tiny-llm')}`);
      await p.getByRole('button', { name: 'To a folder…' }).click();
      const dir = path.join(hubbed.serve.home, 'models', 'tiny');
      const dialog = p.getByRole('dialog');
      await dialog.getByLabel('Folder').fill(dir);
      await dialog.getByLabel('Only files matching').fill('*.json');
      await p.setViewportSize({ width: 720, height: 900 });
      await p.screenshot({ path: path.join(SHOTS, 'model-to-folder-720.png') });
      await p.emulateMedia({ colorScheme: 'dark' });
      await p.screenshot({ path: path.join(SHOTS, 'model-to-folder-720-dark.png') });
      await p.emulateMedia({ colorScheme: 'light' });
      await dialog.getByRole('button', { name: 'Download' }).click();
      await dialog.getByTestId('local-dir-done').waitFor({ timeout: 60_000 });
      expect(await dialog.getByTestId('local-dir-done').textContent()).toMatch(/2 files in .*downloaded/);
      await p.screenshot({ path: path.join(SHOTS, 'model-to-folder-done-720.png') });
      expect(fs.readFileSync(path.join(dir, 'sub', 'dir', 'tokenizer.json'), 'utf8')).toBe('{"tokens":[]}');
      expect(fs.existsSync(path.join(dir, '.cache', 'huggingface', 'download', 'config.json.metadata'))).toBe(true);
    } finally {
      await hubbed.close();
    }
  });
});
