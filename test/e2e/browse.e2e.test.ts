/**
 * Browse, not only type (#29 point 10), under `hubcap serve` in a browser: Publish and the cache
 * location get Browse…, a picker of the server's folders from the home folder down (never above
 * it), and a picked source shows its file count and size at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openServedPage, type ServedPage, type ServeProcess } from './serve-process';

let served: ServedPage;
let serve: ServeProcess;
let page: Page;

beforeAll(async () => {
  served = await openServedPage({
    env: { HF_HUB_OFFLINE: '1' },
    route: '/publish',
    heading: 'Publish',
    before: ({ home }) => {
      fs.mkdirSync(path.join(home, 'models', 'my-ckpt', '.git'), { recursive: true });
      fs.writeFileSync(path.join(home, 'models', 'my-ckpt', 'model.safetensors'), Buffer.alloc(3000));
      fs.writeFileSync(path.join(home, 'models', 'my-ckpt', 'config.json'), '{"a":1}');
      fs.writeFileSync(path.join(home, 'models', 'my-ckpt', '.git', 'HEAD'), Buffer.alloc(9000));
    },
  });
  ({ serve, page } = served);
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

describe('Browse under serve', () => {
  it('picks a folder to publish from home down, and shows its files and size at once', async () => {
    await page.getByRole('button', { name: 'Browse…' }).click();
    const picker = page.getByTestId('folder-picker');
    await expect.poll(() => picker.getByTestId('folder-picker-path').textContent()).toBe(fs.realpathSync(serve.home));
    // The top: nothing above home is offered.
    expect(await picker.getByRole('button', { name: 'Up one folder' }).isDisabled()).toBe(true);
    await picker.getByRole('button', { name: 'models' }).click();
    await picker.getByRole('button', { name: 'my-ckpt' }).click();
    await expect.poll(() => picker.getByTestId('folder-picker-summary').textContent()).toBe('This folder: 2 files, 3.01 kB');
    await page.screenshot({ path: path.join(SHOTS, 'browse-picker.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SHOTS, 'browse-picker-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await picker.getByRole('button', { name: 'Choose this folder' }).click();

    const row = page.getByTestId('publish-path');
    expect(await row.textContent()).toContain(path.join(fs.realpathSync(serve.home), 'models', 'my-ckpt'));
    await expect.poll(() => row.getByTestId('publish-path-size').textContent()).toBe('2 files, 3.01 kB');
    await page.setViewportSize({ width: 720, height: 900 });
    await page.screenshot({ path: path.join(SHOTS, 'publish-browsed-720.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('a typed path outside home gets no size (the server does not look there for the page)', async () => {
    await page.getByLabel('Folder or file to publish').fill('/etc');
    await page.getByRole('button', { name: 'Add' }).click();
    const row = page.getByTestId('publish-path').filter({ hasText: '/etc' });
    await row.waitFor();
    await expect.poll(() => row.getByTestId('publish-path-size').count()).toBe(0);
  });

  it('chooses the cache location with Browse in Settings', async () => {
    await page.goto(`${serve.baseUrl}#/settings`);
    await page.getByRole('button', { name: 'Browse…' }).click();
    const picker = page.getByTestId('folder-picker');
    await picker.getByRole('button', { name: 'models' }).click();
    await expect.poll(() => picker.getByTestId('folder-picker-path').textContent()).toMatch(/\/models$/);
    await picker.getByRole('button', { name: 'Choose this folder' }).click();
    expect(await page.getByLabel('Change location').inputValue()).toBe(path.join(fs.realpathSync(serve.home), 'models'));
  });
});
