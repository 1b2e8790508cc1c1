/**
 * Screenshots show the settled page: every e2e browser context asks for reduced motion, so
 * app.css drops the buttons' colour transitions and a shot taken right after a theme switch (or a
 * viewport change) does not catch buttons half-way between light and dark, looking faded or disabled.
 * And a danger button is readable in both schemes (white on dark mode's light red looked disabled).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('gives a danger button (Delete repo, Remove it) text readable on it in light and dark', async () => {
    const { page } = app;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // The app follows the system scheme on its change event (app/theme.ts).
      await page.waitForFunction((dark) => document.documentElement.classList.contains('dark') === dark, scheme === 'dark');
      const [bg, fg] = await page.evaluate(() => {
        const root = getComputedStyle(document.documentElement);
        return [root.getPropertyValue('--danger').trim(), root.getPropertyValue('--danger-foreground').trim()];
      });
      expect(fg, `${scheme}: --danger-foreground`).toMatch(/^#([0-9a-f]{3}){1,2}$/i);
      // WCAG AA for a button's 14 px label.
      expect(contrast(bg, fg), `${scheme}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
