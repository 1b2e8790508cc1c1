/** Model updates on the Cache page, in the Library and in Settings (#26): check, what changed, update, previous revision; light and dark, 1280 and 720 px. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildRepo } from '../fakehub/model';
import { ggufWithTemplate } from '../updates/setup';
import { screenshotOnFailure } from './chromium';
import { openOnOutdatedCache, screenshots, type OutdatedCache } from './outdated-cache';

let app: OutdatedCache;
let page: Page;
const shots = (name: string, focus?: string) => screenshots(page, name, focus);

beforeAll(async () => {
  app = await openOnOutdatedCache({
    hub: {
      repos: [
        buildRepo({
          id: 'acme/chat-llm',
          commits: [
            {
              title: 'Initial upload',
              files: { 'chat-llm-Q4_K_M.gguf': ggufWithTemplate('{{ messages }}'), 'config.json': '{"v":1}', 'README.md': '# chat\n' },
            },
          ],
        }),
      ],
    },
    repo: 'acme/chat-llm',
    push: {
      title: 'Fix the chat template',
      files: { 'chat-llm-Q4_K_M.gguf': ggufWithTemplate('{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}') },
    },
  });
  page = app.page;
}, 120_000);
afterAll(() => app?.close());
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
    await page.goto(`${app.serve.baseUrl}#/library`);
    const revision = page.getByTestId('item-revision').first();
    await revision.waitFor();
    expect(await revision.textContent()).toMatch(/Runs revision [0-9a-f]{8} \(main\)/);
    await shots('updates-library', 'item-revision');
    await page.goto(`${app.serve.baseUrl}#/settings`);
    const settings = page.getByTestId('updates-settings');
    await settings.waitFor();
    await settings.getByRole('switch', { name: 'Check for model updates daily' }).click();
    await expect.poll(() => settings.getByRole('switch', { name: 'Check for model updates daily' }).getAttribute('aria-checked')).toBe('true');
    await shots('updates-settings', 'updates-settings');
  }, 120_000);
});
