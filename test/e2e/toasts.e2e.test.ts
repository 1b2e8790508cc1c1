/**
 * Toasts that behave (#29 point 7): a drop's result dismisses itself (about 5 s; longer when a file
 * was refused), sits in its own strip above the status bar so it never covers the chat's composer
 * or its Send button (checked at 720 px, where room is scarcest), and the next drop's result
 * replaces the last one (a "same file" notice clears when the next drop succeeds).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { sampleGguf } from '../fixtures/gguf-writer';
import { SHOTS, screenshotOnFailure } from './chromium';
import { dropFiles } from './drop-files';
import { openServedPage, type ServedPage } from './serve-process';

let served: ServedPage;
let page: Page;

beforeAll(async () => {
  served = await openServedPage({ env: { HF_HUB_OFFLINE: '1' }, route: '/library', heading: 'Library', viewport: { width: 720, height: 900 } });
  ({ page } = served);
});
afterAll(async () => {
  await served?.close();
});
screenshotOnFailure(() => page);

const gguf = (name: string, fileType: number) => ({ name, bytes: [...sampleGguf({ name, fileType })] });

/** How long a toast stayed on screen, from when it showed to when it went by itself. */
async function lifetime(toast: Locator): Promise<number> {
  await toast.waitFor({ timeout: 15_000 });
  const shown = Date.now();
  await toast.waitFor({ state: 'detached', timeout: 30_000 });
  return Date.now() - shown;
}

/** Whether two elements' boxes overlap on screen. */
async function overlap(a: Locator, b: Locator): Promise<boolean> {
  const [p, q] = [await a.boundingBox(), await b.boundingBox()];
  if (!p || !q) throw new Error('not on screen');
  return p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
}

describe('toasts', () => {
  it('a success goes by itself after about 5 s; a refusal stays about twice as long', async () => {
    await dropFiles(page, [gguf('first-Q4_K_M.gguf', 15)]);
    const ok = page.locator('[data-testid="drop-result"][data-tone="success"]');
    await ok.waitFor({ timeout: 15_000 });
    expect(await ok.textContent()).toMatch(/Added first-Q4_K_M\.gguf/);
    const okMs = await lifetime(ok);
    expect(okMs).toBeGreaterThan(3500);
    expect(okMs).toBeLessThan(12_000);

    await dropFiles(page, [{ name: 'fake.gguf', bytes: [...Buffer.from('PK\x03\x04 not a model')] }]);
    const refused = page.locator('[data-testid="drop-result"][data-tone="error"]');
    await refused.waitFor({ timeout: 15_000 });
    expect(await refused.textContent()).toMatch(/fake\.gguf: Not a GGUF file/);
    expect(await lifetime(refused)).toBeGreaterThan(8000);
  });

  it('never covers the composer or Send at 720 px, and the next good drop replaces a "same file" notice', async () => {
    await page.goto(`${page.url().split('#')[0]}#/chat`);
    await page
      .getByRole('button', { name: /Start a chat|New chat/ })
      .first()
      .click();
    const composer = page.getByLabel('Message');
    const send = page.getByRole('button', { name: 'Send' });
    await composer.waitFor();

    await dropFiles(page, [gguf('first-Q4_K_M.gguf', 15)]);
    const notice = page.getByTestId('drop-result');
    await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toMatch(/same file is already in your Library/);
    await page.screenshot({ path: path.join(SHOTS, 'toast-chat-720.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SHOTS, 'toast-chat-720-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await overlap(notice, composer)).toBe(false);
    expect(await overlap(notice, send)).toBe(false);
    // What is at the composer's centre is the composer itself, not something over it.
    const box = await composer.boundingBox();
    const hit = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.getAttribute('aria-label'), {
      x: (box?.x ?? 0) + 20,
      y: (box?.y ?? 0) + 10,
    });
    expect(hit).toBe('Message');

    await dropFiles(page, [gguf('second-Q8_0.gguf', 7)]);
    await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toMatch(/Added second-Q8_0\.gguf/);
    expect(await notice.count()).toBe(1);
    expect(await page.getByText(/same file is already in your Library/).count()).toBe(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: path.join(SHOTS, 'toast-chat-1280.png') });
  });
});
