/**
 * From "Find models you already have" to "Add to Hugging Face cache", in Chromium, on a HOME laid
 * out like LM Studio's, Ollama's, llama.cpp's, text-generation-webui's and ComfyUI's folders.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cachedLlamaModel, HUGE_70B } from '../fixtures/llama-model';
import { otherAppsHome, type OtherAppsHome } from '../fixtures/other-apps';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openWithFakeHub, type HubServedPage, type ServeProcess } from './serve-process';

let served: HubServedPage;
let serve: ServeProcess;
let page: Page;
let apps: OtherAppsHome;

beforeAll(async () => {
  // Not a per-test temp folder: the server reads this HOME for the whole file.
  apps = otherAppsHome(fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-e2e-apps-')));
  served = await openWithFakeHub({ env: { HOME: apps.home, XDG_CACHE_HOME: path.join(apps.home, '.cache') } });
  ({ serve, page } = served);
});
afterAll(async () => {
  await served?.close();
  if (apps) for (const dir of [apps.home, `${apps.home}-outside`]) fs.rmSync(dir, { recursive: true, force: true });
});
screenshotOnFailure(() => page);

describe('models other apps downloaded', () => {
  it('finds them after asking, adds one to the Library in place, and puts one into the Hugging Face cache by clone or copy (a hard link only on request)', async () => {
    await page.goto(`${serve.baseUrl}#/library`);
    await page.getByTestId('empty-library').waitFor();
    await page.getByRole('button', { name: 'Find models you already have' }).click();
    const panel = page.getByRole('dialog', { name: 'Models on this computer' });
    await panel.getByText(/It only reads them: nothing is moved, changed or uploaded/).waitFor();
    // A folder of the user's own, too.
    const mine = path.join(apps.home, 'my-models');
    fs.mkdirSync(mine, { recursive: true });
    fs.copyFileSync(apps.lmStudio.file, path.join(mine, 'my-llama.gguf'));
    await panel.getByLabel('Also look in a folder').fill(mine);
    await panel.getByRole('button', { name: 'Add folder' }).click();
    await panel.getByRole('list', { name: 'Your folders' }).getByText(mine).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'find-models-ask.png') });
    await panel.getByRole('button', { name: 'Look in these folders' }).click();
    await panel.getByTestId('found-app').first().waitFor({ timeout: 20_000 });
    const sections = await panel.getByTestId('found-app').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(sections).toEqual(expect.arrayContaining(['LM Studio', 'Ollama', 'llama.cpp', 'text-generation-webui', 'ComfyUI', 'Your folders']));
    expect(await panel.getByRole('region', { name: 'Your folders' }).getByTestId('found-model').textContent()).toMatch(/my-llama\.gguf/);
    expect(await panel.textContent()).toMatch(/604 kB duplicated \(the same bytes in two places\)/);
    expect(await panel.textContent()).toMatch(/Skipped the Ollama manifest/);
    await page.screenshot({ path: path.join(SHOTS, 'find-models-found.png') });

    const lm = panel.getByRole('region', { name: 'LM Studio' }).getByTestId('found-model');
    await lm.getByRole('button', { name: /^Add tiny-llama-F32\.gguf to the Library/ }).click();
    await lm.getByText('In Library').waitFor();

    await lm.getByRole('button', { name: 'Add to Hugging Face cache' }).click();
    const plan = lm.getByTestId('adopt-plan');
    await plan.waitFor({ timeout: 15_000 });
    expect(await plan.textContent()).toMatch(/Confirmed by its sha256: it is hubcap-test\/tiny-llama-GGUF\/tiny-llama-F32\.gguf/);
    // A clone where the disk can; else a copy, with a hard link offered only with its warning (never chosen for the user).
    const text = (await plan.textContent()) ?? '';
    expect(text).toMatch(/A copy-on-write clone: no extra space|A copy: 604 kB more on the cache’s drive/);
    if (/A copy:/.test(text)) {
      expect(text).toMatch(/share the same bytes/);
      expect(await plan.getByRole('button', { name: 'Hard link instead' }).count()).toBe(1);
    }
    await page.screenshot({ path: path.join(SHOTS, 'find-models-adopt-plan.png') });
    await plan.getByRole('button', { name: /^(Add it|Copy 604 kB)$/ }).click();
    await lm.getByTestId('adopted').waitFor({ timeout: 15_000 });

    // The webui file claims a repo its bytes are not from: GGUF problem shown, no cache offer.
    const webui = panel.getByRole('region', { name: 'text-generation-webui' }).getByTestId('found-model');
    expect(await webui.getByRole('button', { name: 'Add to Hugging Face cache' }).count()).toBe(0);
    await page.keyboard.press('Escape');

    // Listed once: from the Hugging Face cache now, not also from LM Studio's folder.
    const items = page.getByTestId('library-item').filter({ hasText: 'tiny-llama-F32.gguf' });
    // The Library refreshes after the adoption: until then it may still list LM Studio's copy.
    await expect.poll(async () => [await items.count(), await items.first().getAttribute('data-source')], { timeout: 15_000 }).toEqual([1, 'cache']);
    await page.screenshot({ path: path.join(SHOTS, 'library-found-models.png') });
    const hfHub = path.join(serve.hfHome, 'hub', 'models--hubcap-test--tiny-llama-GGUF');
    expect(fs.readdirSync(path.join(hfHub, 'snapshots'))).toHaveLength(1);
  });

  it('adds every file of one repo in an app folder at once, after looking again', async () => {
    fs.copyFileSync(cachedLlamaModel('huge', HUGE_70B), path.join(path.dirname(apps.lmStudio.file), 'huge-llama-F16.gguf'));
    await page.goto(`${serve.baseUrl}#/library`);
    await page.getByRole('button', { name: 'Find models you already have' }).click();
    const panel = page.getByRole('dialog', { name: 'Models on this computer' });
    await panel.getByRole('button', { name: /Look in these folders|Look again/ }).click();
    const lm = panel.getByRole('region', { name: 'LM Studio' });
    await expect.poll(() => lm.getByTestId('found-model').count(), { timeout: 15_000 }).toBe(2);
    const repo = lm.getByTestId('adopt-repo');
    await repo.getByRole('button', { name: 'Add all 2 files of hubcap-test/tiny-llama-GGUF to the Hugging Face cache' }).click();
    await repo.getByText(/All 2 confirmed by sha256 at commit [0-9a-f]{8}; (no extra space|[\d.]+ [kMG]?B to copy)/).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(SHOTS, 'find-models-adopt-repo.png') });
    await repo.getByRole('button', { name: 'Add them' }).click();
    await lm.getByTestId('adopted-repo').waitFor({ timeout: 15_000 });
    const snapshots = path.join(serve.hfHome, 'hub', 'models--hubcap-test--tiny-llama-GGUF', 'snapshots');
    const [commit] = fs.readdirSync(snapshots);
    expect(fs.readdirSync(path.join(snapshots, commit as string)).sort()).toEqual(['huge-llama-F16.gguf', 'tiny-llama-F32.gguf']);
    await page.keyboard.press('Escape');
  });

  it('moves the whole cache to a new folder from Settings, and says what Python needs to follow', async () => {
    await page.goto(`${serve.baseUrl}#/settings`);
    const to = path.join(apps.home, 'other-drive', 'hub');
    await page.getByLabel('Change location').fill(to);
    await page.getByTestId('move-cache').click();
    const moved = page.getByTestId('moved');
    await moved.waitFor({ timeout: 15_000 });
    expect(await moved.textContent()).toMatch(new RegExp(`to ${to}.*set HF_HUB_CACHE=${to}`));
    await expect.poll(() => page.getByTestId('cache-path').textContent()).toContain(to);
    await page.screenshot({ path: path.join(SHOTS, 'settings-cache-moved.png') });
    expect(fs.existsSync(path.join(to, 'models--hubcap-test--tiny-llama-GGUF', 'snapshots'))).toBe(true);
    // The old place is now a link to the new one, so a program still set to it lands there too.
    const old = path.join(serve.hfHome, 'hub');
    expect(fs.lstatSync(old).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(old)).toBe(fs.realpathSync(to));
  });
});
