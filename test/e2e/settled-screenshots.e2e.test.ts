/**
 * Screenshots show the settled page: every e2e browser context asks for reduced motion, so
 * app.css drops the buttons' colour transitions and a shot taken right after a theme switch (or a
 * viewport change) does not catch buttons half-way between light and dark, looking faded or disabled.
 * And a danger button is readable in both schemes (white on dark mode's light red looked disabled),
 * as are the status colours where they are text: badges on their own tints, the status bar's words.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { SHOTS } from './chromium';
import { contrast } from '../helpers/contrast';
import { drawn } from './drawn-contrast';
import { openWithFakeHub, type HubServedPage } from './serve-process';

let app: HubServedPage;

beforeAll(async () => {
  app = await openWithFakeHub();
}, 120_000);
afterAll(() => app?.close());

describe('e2e screenshots', () => {
  it('are taken with reduced motion asked for, so buttons change colour at once on a theme switch', async () => {
    const { page } = app;
    expect(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches)).toBe(true);
    const button = page.getByRole('button').first();
    await button.waitFor();
    // The component library's buttons do transition their colours; here they must not take time.
    expect(await button.getAttribute('class')).toContain('transition-colors');
    await page.emulateMedia({ colorScheme: 'dark' });
    const style = await button.evaluate((el) => {
      const s = getComputedStyle(el);
      return { duration: s.transitionDuration, delay: s.transitionDelay };
    });
    expect(style).toEqual({ duration: '0s', delay: '0s' });
    // Still asked after the theme switch (emulateMedia resets the media features it is not given).
    expect(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches)).toBe(true);
  });

  it('gives primary and danger buttons (Download, Delete repo) text readable on them in light and dark', async () => {
    const { page } = app;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // The app follows the system scheme on its change event (app/theme.ts).
      await page.waitForFunction((dark) => document.documentElement.classList.contains('dark') === dark, scheme === 'dark');
      for (const token of ['primary', 'danger']) {
        const [bg, fg] = await page.evaluate((t) => {
          const root = getComputedStyle(document.documentElement);
          return [root.getPropertyValue(`--${t}`).trim(), root.getPropertyValue(`--${t}-foreground`).trim()];
        }, token);
        expect(fg, `${scheme}: --${token}-foreground`).toMatch(/^#([0-9a-f]{3}){1,2}$/i);
        // WCAG AA for a button's 14 px label (light primary was white on amber-600, 3.2:1).
        expect(contrast(bg, fg), `${scheme}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
      }
      // A real primary button as drawn (Downloads' Download), saved for a person to look at.
      await page.goto(page.url().replace(/#.*$/, '#/downloads'));
      const download = page.getByRole('button', { name: 'Download', exact: true });
      await download.waitFor();
      expect(await download.getAttribute('class')).toContain('bg-primary');
      // Enabled, so it is drawn at full colour (a disabled one is faded on purpose).
      await page.getByLabel('Repo id').fill('acme/tiny-llm');
      expect(await download.isEnabled()).toBe(true);
      await page.screenshot({ path: path.join(SHOTS, `settled-primary-button-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('draws status badges, status words and progress fills readable in light and dark, at 720 and 1280 px', async () => {
    const { page, hub } = app;
    const start = async (repo: string, files: string) => {
      await page.goto(page.url().replace(/#.*$/, '#/downloads'));
      await page.getByLabel('Repo id').fill(repo);
      await page.getByLabel('Files or patterns').fill(files);
      await page.getByRole('button', { name: 'Download', exact: true }).click();
      return page.getByTestId('download-job').filter({ hasText: repo }).first();
    };
    // One job in each state that has a status colour: done (success), failed (danger), paused (warning).
    const done = await start('acme/tiny-llm', 'README.md');
    await expect.poll(() => done.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    const failed = await start('acme/gated-llm', '');
    await expect.poll(() => failed.getAttribute('data-state'), { timeout: 15_000 }).toBe('error');
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 50_000, times: Infinity });
    const paused = await start('acme/split-llm', '');
    await expect.poll(() => paused.getAttribute('data-state'), { timeout: 15_000 }).toBe('downloading');
    await paused.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => paused.getAttribute('data-state'), { timeout: 15_000 }).toBe('paused');
    hub.faults.clear();
    const online = page.getByTestId('status-hub');
    await expect.poll(() => online.textContent(), { timeout: 15_000 }).toBe('Online');

    // [what, element, its class, 'text' (4.5:1 on what is under it) or 'fill' (a graphic, 3:1 on its track)]
    const drawnAs: [string, Locator, string, 'text' | 'fill'][] = [
      ['Done badge', done.getByTestId('job-state'), 'text-success', 'text'],
      ['Failed badge', failed.getByTestId('job-state'), 'text-danger', 'text'],
      ['Paused badge', paused.getByTestId('job-state'), 'text-warning', 'text'],
      ['status bar Online', online, 'text-success', 'text'],
      ['done progress fill', done.getByRole('progressbar').locator('> div'), 'bg-success', 'fill'],
      ['failed progress fill', failed.getByRole('progressbar').locator('> div'), 'bg-danger', 'fill'],
    ];
    expect(await Promise.all(drawnAs.slice(0, 3).map(([, el]) => el.textContent()))).toEqual(['Done', 'Failed', 'Paused']);
    for (const [what, el, cls] of drawnAs) expect(await el.getAttribute('class'), what).toContain(cls);

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForFunction((dark) => document.documentElement.classList.contains('dark') === dark, scheme === 'dark');
      for (const width of [720, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        const ratios: string[] = [];
        for (const [what, el, , kind] of drawnAs) {
          const d = await drawn(el);
          const [fg, bg, min] = kind === 'text' ? [d.text, d.background, 4.5] : [d.background, d.under, 3];
          const ratio = contrast(fg, bg);
          ratios.push(`${what} ${fg} on ${bg} ${ratio.toFixed(2)}`);
          // WCAG AA: 4.5:1 for a 12 px badge or status word, 3:1 for a bar (light ones were 2.7-3.8:1).
          expect(ratio, `${scheme} ${width}px: ${what}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(min);
        }
        console.log(`[contrast] ${scheme} ${width}px: ${ratios.join('; ')}`);
        // The page scrolls inside its main pane: one shot from the top (Paused, Failed), one at Done.
        await page.screenshot({ path: path.join(SHOTS, `settled-status-${scheme}-${width}.png`) });
        await done.scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(SHOTS, `settled-status-${scheme}-${width}-done.png`) });
        await page.getByRole('heading', { level: 1, name: 'Downloads' }).scrollIntoViewIfNeeded();
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
  }, 90_000);
});
