/**
 * Chat with room (#29 point 6): at 1280 px the conversation gets at least 640 px (the chat list and
 * the settings panel start closed below 1440 px, and stay as the user leaves them, across a
 * reload); the model picker is never cut; a long unbroken token and a wide code block stay inside
 * their bubble; the context meter says what it counts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { testModel } from '../helpers/inference';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openServedPage, type ServedPage } from './serve-process';

let served: ServedPage;
let page: Page;

beforeAll(async () => {
  served = await openServedPage({ env: { HF_HUB_OFFLINE: '1' }, route: '/library', heading: 'Library', viewport: { width: 1280, height: 900 } });
  ({ page } = served);
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

const width = async (selector: string) => (await page.locator(selector).boundingBox())?.width ?? 0;

/** Boxes that scroll sideways inside the conversation, code blocks aside (they scroll by design). */
const sideways = () =>
  page.evaluate(() => {
    const col = document.querySelector<HTMLElement>('[data-testid="conversation-column"]');
    if (!col) return ['no conversation'];
    const out: string[] = [];
    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) out.push('page');
    for (const el of [col, ...Array.from(col.querySelectorAll<HTMLElement>('*'))]) {
      // Code scrolls inside its block by design; a one-line title is cut with an ellipsis on purpose.
      if (el.closest('pre') || getComputedStyle(el).textOverflow === 'ellipsis') continue;
      if (el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX)) out.push(el.tagName);
    }
    const colRight = col.getBoundingClientRect().right;
    for (const b of Array.from(col.querySelectorAll<HTMLElement>('article > div > div')))
      if (b.getBoundingClientRect().right > colRight + 1) out.push('bubble past the column');
    return out;
  });

describe('chat with room', () => {
  it('gives the conversation the room at 1280 px, keeps the picker whole, and keeps long tokens and code in their bubbles', async () => {
    await page
      .getByLabel('Model files')
      .setInputFiles([{ name: 'tiny-llama-F32.gguf', mimeType: 'application/octet-stream', buffer: fs.readFileSync(testModel()) }]);
    const card = page.getByTestId('library-item').filter({ hasText: 'tiny-llama-F32.gguf' });
    await card.waitFor({ timeout: 15_000 });
    await card.getByRole('button', { name: /Chat with/ }).click();
    await page.getByTestId('loaded-model').waitFor({ timeout: 90_000 });

    expect(await page.getByRole('complementary', { name: 'Conversations' }).count()).toBe(0);
    expect(await page.getByRole('complementary', { name: 'Chat settings panel' }).count()).toBe(0);
    expect(await width('[data-testid="conversation-column"]')).toBeGreaterThanOrEqual(640);
    expect(await width('#model-picker')).toBeGreaterThanOrEqual(256);

    const token = 'x'.repeat(600);
    await page.getByRole('textbox', { name: 'Message' }).fill(`${token}\n\n\`\`\`\n${'const wide = 1; '.repeat(40)}\n\`\`\``);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByTestId('message-user').waitFor();
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor({ timeout: 60_000 });
    expect(await sideways()).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'chat-room-1280.png') });

    // The meter says what it counts.
    const meter = page.getByTestId('context-meter');
    await meter.waitFor();
    expect(await meter.textContent()).toMatch(/tokens in context/);
    expect(await meter.getAttribute('aria-description')).toMatch(/system prompt, every message and every answer/);

    await page.setViewportSize({ width: 720, height: 900 });
    expect(await sideways()).toEqual([]);
    const bar = await page.locator('#model-picker').boundingBox();
    expect((bar?.x ?? 0) + (bar?.width ?? 0)).toBeLessThanOrEqual(720);
    expect(bar?.width ?? 0).toBeGreaterThanOrEqual(256);
    await page.screenshot({ path: path.join(SHOTS, 'chat-room-720.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SHOTS, 'chat-room-720-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('remembers the panels as the user left them, across a reload', async () => {
    await page.getByRole('button', { name: 'Show chat settings' }).click();
    await page.getByRole('complementary', { name: 'Chat settings panel' }).waitFor();
    await page.getByRole('button', { name: 'Show chats' }).click();
    await page.getByRole('complementary', { name: 'Conversations' }).waitFor();
    // A new chat answers with the loaded model, and its row says so (not "No model yet").
    await page.getByRole('complementary', { name: 'Conversations' }).getByRole('button', { name: 'New chat' }).click();
    await expect
      .poll(() => page.getByTestId('conversation').filter({ hasText: '0 messages' }).textContent())
      .toMatch(/tiny-llama-F32\.gguf \(loaded\) · 0 messages/);
    await page.reload();
    await page.getByRole('complementary', { name: 'Chat settings panel' }).waitFor();
    await page.getByRole('complementary', { name: 'Conversations' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'chat-room-1280-panels.png') });
    await page.getByRole('button', { name: 'Hide chat settings' }).click();
    await page.getByRole('button', { name: 'Hide chats' }).click();
    await page.reload();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(await page.getByRole('complementary').count()).toBe(0);
  });
});
