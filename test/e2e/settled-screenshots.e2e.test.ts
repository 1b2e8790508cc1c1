/**
 * Screenshots show the settled page: every e2e browser context asks for reduced motion, so
 * app.css drops the buttons' colour transitions and a shot taken right after a theme switch (or a
 * viewport change) does not catch buttons half-way between light and dark, looking faded or disabled.
 * And a danger button is readable in both schemes (white on dark mode's light red looked disabled).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS } from './chromium';
import { openWithFakeHub, type HubServedPage } from './serve-process';

let app: HubServedPage;

/** WCAG contrast ratio of two `#rrggbb` (or minified `#rgb`) colours. */
function contrast(a: string, b: string): number {
  const luminance = (short: string) => {
    const hex = short.length === 4 ? `#${[...short.slice(1)].map((c) => c + c).join('')}` : short;
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

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
});
