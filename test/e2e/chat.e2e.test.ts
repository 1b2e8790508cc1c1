/**
 * Local inference through the whole path: the real `hubcap serve`, its inference host process,
 * the WebSocket, and the Chat page in Chromium, with a generated tiny llama model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openServedPage, type ServedPage, type ServeProcess } from './serve-process';
import { testModel } from '../helpers/inference';

let served: ServedPage;
let serve: ServeProcess;
let page: Page;

beforeAll(async () => {
  served = await openServedPage({ env: { HF_HUB_OFFLINE: '1' }, route: '/library', heading: 'Library', viewport: { width: 1360, height: 900 } });
  ({ serve, page } = served);
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

async function setSampling(values: Record<string, string>) {
  // Below 1440 px the settings panel starts closed; once opened it stays open (remembered).
  const show = page.getByRole('button', { name: 'Show chat settings' });
  if (await show.count()) await show.click();
  for (const [label, value] of Object.entries(values)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
}

describe('chat with a Library model', () => {
  it('shows the hardware and the CPU notice in Settings, and saves load defaults', async () => {
    await page.goto(`${serve.baseUrl}#/settings`);
    const hw = page.getByTestId('hardware');
    await expect.poll(() => hw.textContent(), { timeout: 30_000 }).toMatch(/Backend.*RAM.*free of/);
    if ((await hw.textContent())?.includes('CPU only')) expect(await page.getByTestId('cpu-notice').textContent()).toMatch(/models run on the CPU/);
    // One thread: on a two-core test machine, thread sync dwarfs a tiny model's work.
    await page.getByLabel('Threads').fill('1');
    await page.getByRole('button', { name: 'Save defaults' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByText('Local inference').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'settings-inference.png'), fullPage: true });
  });

  it('picks a generated model in the Library, loads it from the Chat button, answers with stats, and stops', async () => {
    await page.goto(`${serve.baseUrl}#/library`);
    await page
      .getByLabel('Model files')
      .setInputFiles([{ name: 'tiny-llama-F32.gguf', mimeType: 'application/octet-stream', buffer: fs.readFileSync(testModel()) }]);
    const card = page.getByTestId('library-item').filter({ hasText: 'tiny-llama-F32.gguf' });
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
    await card.getByRole('button', { name: /Chat with/ }).click();

    await page.getByTestId('loaded-model').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('loaded-model').textContent()).toMatch(/tiny-llama-F32\.gguf.*CPU|CUDA|VULKAN.*ChatML template/);
    expect(await page.getByTestId('fit-badge').getAttribute('data-verdict')).toMatch(/^(cpu|gpu)$/);

    // The Library's Chat opened an empty chat: nothing more to click before typing.
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await setSampling({ 'Max tokens': '24', Seed: '7' });
    await page.getByRole('textbox', { name: 'Message' }).fill('Hello, who are you?');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    const stats = page.getByTestId('answer-stats');
    await expect.poll(() => stats.count(), { timeout: 60_000 }).toBe(1);
    expect(await stats.textContent()).toMatch(/24 tokens.*tok\/s.*ms to first token.*hit max tokens/);
    expect((await page.getByTestId('answer-text').textContent())?.length).toBeGreaterThan(0);
    expect(await page.getByTestId('chat-title').textContent()).toBe('Hello, who are you?');
    expect(await page.getByTestId('context-meter').textContent()).toMatch(/\d+ \/ [\d,]+ tokens/);
    await page.screenshot({ path: path.join(SHOTS, 'chat-answer.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(400); // let colour transitions finish
    await page.screenshot({ path: path.join(SHOTS, 'chat-answer-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    // A long answer, stopped at once.
    await setSampling({ 'Max tokens': '100000' });
    await page.getByRole('textbox', { name: 'Message' }).fill('Now talk for a long time');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('button', { name: 'Stop', exact: true }).waitFor();
    await expect.poll(async () => (await page.getByTestId('answer-text').last().textContent())?.length ?? 0, { timeout: 30_000 }).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => stats.count(), { timeout: 15_000 }).toBe(2);
    expect(await stats.last().textContent()).toMatch(/stopped/);
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor();

    // Saved: listed in the sidebar (opened once: below 1440 px it starts closed, then stays as left), and still there after a reload.
    await page.getByRole('button', { name: 'Show chats' }).click();
    await page.reload();
    await expect.poll(() => page.getByTestId('conversation').count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('message-assistant').count(), { timeout: 15_000 }).toBe(2);
  });

  it('says so, and recovers, when the inference process dies mid-answer', async () => {
    await page.getByRole('textbox', { name: 'Message' }).fill('Keep talking');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const third = page.getByTestId('message-assistant').nth(2).getByTestId('answer-text');
    await expect.poll(async () => ((await third.count()) ? ((await third.textContent())?.length ?? 0) : 0), { timeout: 30_000 }).toBeGreaterThan(20);
    // The host is the serve process's only child running node-llama-cpp.
    const host = fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .find((p) => {
        try {
          return (
            fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('inference-host.js') &&
            fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(' ')[3] === String(serve.proc.pid)
          );
        } catch {
          return false;
        }
      });
    expect(host).toBeDefined();
    process.kill(Number(host), 'SIGKILL');
    await expect
      .poll(
        () =>
          page
            .getByRole('alert')
            .filter({ hasText: /inference process was killed/ })
            .count(),
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    // The answer so far is kept, with the reason under it.
    expect((await third.textContent())?.length).toBeGreaterThan(20);
    await page.screenshot({ path: path.join(SHOTS, 'chat-host-crashed.png') });
    // The page still works and the next load starts a fresh host.
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await page.getByTestId('loaded-model').waitFor({ timeout: 60_000 });
  });
});
