/**
 * The theme's colour tokens (src-renderer/app.css) keep text readable in light and dark: a primary
 * or danger button's label on its colour, and primary-coloured text on the page, at WCAG AA for
 * normal text (4.5:1). Read from the CSS itself, so a token changed there is judged here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const css = fs.readFileSync(path.join(import.meta.dirname, '../../src-renderer/app.css'), 'utf8');

/** The `--name: #hex` custom properties of one top-level rule (`:root` or `.dark`). */
function tokens(selector: string): Record<string, string> {
  const start = css.search(new RegExp(`^${selector.replace('.', '\\.')}\\s*\\{`, 'm'));
  if (start < 0) throw new Error(`app.css has no ${selector} rule`);
  const body = css.slice(css.indexOf('{', start) + 1, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\s*;/g)].map((m) => [m[1] as string, m[2] as string]));
}

/** WCAG 2 contrast ratio of two `#rrggbb` or `#rgb` colours. */
function contrast(a: string, b: string): number {
  const luminance = (color: string) => {
    const hex = color.length === 4 ? `#${[...color.slice(1)].map((c) => c + c).join('')}` : color;
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Text token on background token: a button's label on its colour, or coloured text on the page. */
const PAIRS = [
  ['primary-foreground', 'primary'],
  ['danger-foreground', 'danger'],
  ['primary', 'background'],
] as const;

describe('theme contrast', () => {
  it('measures as WCAG does', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#fff', '#ffffff')).toBeCloseTo(1, 5);
    // The old light primary: white on amber-600, the 3.2:1 this test exists for.
    expect(contrast('#ffffff', '#d97706')).toBeCloseTo(3.19, 2);
  });

  for (const scheme of [':root', '.dark'] as const) {
    it(`keeps text at 4.5:1 or more in ${scheme === ':root' ? 'light' : 'dark'} mode`, () => {
      const t = tokens(scheme);
      for (const [fg, bg] of PAIRS) {
        expect(t[fg], `${scheme} --${fg}`).toMatch(/^#/);
        expect(t[bg], `${scheme} --${bg}`).toMatch(/^#/);
        expect(contrast(t[fg] as string, t[bg] as string), `${scheme}: --${fg} ${t[fg]} on --${bg} ${t[bg]}`).toBeGreaterThanOrEqual(4.5);
      }
    });
  }
});
