/** Model updates on the Cache page, in the Library and in Settings (#26): check, what changed, update, previous revision; light and dark, 1280 and 720 px. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DownloadManager } from '../../src-main/downloads/manager';
import { memoryQueueStore } from '../../src-main/downloads/queue-store';
import { HubHttp } from '../../src-main/hub/http';
import { buildRepo } from '../fakehub/model';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { ggufWithTemplate } from '../updates/setup';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openServedPage, type ServedPage } from './serve-process';

let hub: FakeHub;
let served: ServedPage;
let page: Page;
let prepared = '';

async function shots(name: string, focus?: string): Promise<void> {
  for (const width of [1280, 720]) {
    await page.setViewportSize({ width, height: 900 });
    if (focus) await page.getByTestId(focus).first().scrollIntoViewIfNeeded();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(SHOTS, `${name}-${width}-${scheme}.png`) });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  hub = await startFakeHub({
    repos: [
      buildRepo({
        id: 'acme/chat-llm',
        commits: [
          { title: 'Initial upload', files: { 'chat-llm-Q4_K_M.gguf': ggufWithTemplate('{{ messages }}'), 'config.json': '{"v":1}', 'README.md': '# chat\n' } },
        ],
      }),
    ],
  });
  // A cache holding the repo at main, made by Hubcap's own engine before the app starts.
  prepared = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-e2e-updates-'));
  const engine = new DownloadManager({
    hub: new HubHttp({ endpoint: hub.url, token: () => null, offline: () => false }),
    cacheDir: () => prepared,
    store: memoryQueueStore(),
  });
  engine.add({ repoType: 'model', repo: 'acme/chat-llm', revision: 'main' });
  await engine.whenIdle();
  await engine.close();
  hub.push('acme/chat-llm', {
    title: 'Fix the chat template',
    files: { 'chat-llm-Q4_K_M.gguf': ggufWithTemplate('{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}') },
  });
  served = await openServedPage({
    route: `/cache/${encodeURIComponent('model:acme/chat-llm')}`,
    env: { HF_ENDPOINT: hub.url },
    before: ({ hfHome }) => fs.cpSync(prepared, path.join(hfHome, 'hub'), { recursive: true, verbatimSymlinks: true }),
  });
  page = served.page;
}, 120_000);
afterAll(async () => {
  await served?.close();
  await hub?.close();
  fs.rmSync(prepared, { recursive: true, force: true });
});
screenshotOnFailure(() => page);

describe('model updates in the app', () => {
  it('checks, badges the repo, says what changed, updates, and offers to remove the previous revision', async () => {
    const card = page.getByTestId('updates-card');
    await card.getByRole('button', { name: 'Check for updates' }).click();
    await page.getByTestId('update-badge').waitFor();
    const panel = page.getByTestId('update-panel');
    await panel.getByTestId('branch-state-main').filter({ hasText: 'Update available' }).waitFor();
    await panel.getByRole('button', { name: 'What changed?' }).click();
    await panel.getByTestId('update-summary').waitFor({ timeout: 30_000 });
    expect(await panel.getByTestId('update-summary').textContent()).toMatch(/^1 file changed · .* new revision · .* to download$/);
    expect(await panel.getByTestId('what-changed').textContent()).toMatch(/Fix the chat template[\s\S]*tokenizer\.chat_template changed \(the chat template\)/);
    await shots('updates-what-changed', 'update-panel');

    await panel.getByRole('button', { name: 'Update', exact: true }).click();
    await panel.getByTestId('branch-state-main').filter({ hasText: 'Up to date' }).waitFor({ timeout: 60_000 });
    await panel.getByRole('button', { name: 'Remove previous revision…' }).click();
    const remove = panel.getByRole('button', { name: /Remove it: frees/ });
    await remove.waitFor();
    expect(await remove.textContent()).toMatch(/frees \d/);
    await shots('updates-previous-revision', 'update-panel');
    expect(await page.getByTestId('update-badge').count()).toBe(0);
  }, 180_000);

  it('the Library says which revision an item runs; Settings has the two update settings', async () => {
    await page.goto(`${served.serve.baseUrl}#/library`);
    const revision = page.getByTestId('item-revision').first();
    await revision.waitFor();
    expect(await revision.textContent()).toMatch(/Runs revision [0-9a-f]{8} \(main\)/);
    await shots('updates-library', 'item-revision');
    await page.goto(`${served.serve.baseUrl}#/settings`);
    const settings = page.getByTestId('updates-settings');
    await settings.waitFor();
    await settings.getByRole('switch', { name: 'Check for model updates daily' }).click();
    await expect.poll(() => settings.getByRole('switch', { name: 'Check for model updates daily' }).getAttribute('aria-checked')).toBe('true');
    await shots('updates-settings', 'updates-settings');
  }, 120_000);
});
