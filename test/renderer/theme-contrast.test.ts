/**
 * The theme's colour tokens (src-renderer/app.css) keep text readable in light and dark: a button's
 * label on its colour, status words on the page, badges and notices on their own tints, at WCAG AA
 * for normal text (4.5:1; 3:1 for graphics). Read from the CSS itself, so a token changed there is judged here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contrast } from '../helpers/contrast';

const css = fs.readFileSync(path.join(import.meta.dirname, '../../src-renderer/app.css'), 'utf8');

/** The `--name: #hex` custom properties of one top-level rule (`:root` or `.dark`). */
function tokens(selector: string): Record<string, string> {
  const start = css.search(new RegExp(`^${selector.replace('.', '\\.')}\\s*\\{`, 'm'));
  if (start < 0) throw new Error(`app.css has no ${selector} rule`);
  const body = css.slice(css.indexOf('{', start) + 1, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\s*;/g)].map((m) => [m[1] as string, m[2] as string]));
}

/** `#rrggbb` of `fg` laid at `alpha` over opaque `bg`, as Tailwind's `bg-x/15` over a card is drawn. */
function over(fg: string, alpha: number, bg: string): string {
  const channel = (hex: string, i: number) => parseInt(hex.slice(i, i + 2), 16);
  return `#${[1, 3, 5]
    .map((i) =>
      Math.round(channel(fg, i) * alpha + channel(bg, i) * (1 - alpha))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** A colour as the page uses it: a token, optionally at an opacity over a surface token. */
type Paint = string | { token: string; alpha: number; on: string };

/**
 * Every pairing the renderer draws with the theme's colours (grep text-/bg-/border- of primary,
 * success, warning and danger in src-renderer). `min` is 4.5 for text, 3 for graphics only.
 */
const STATUS = ['success', 'warning', 'danger'] as const;
const SURFACES = ['background', 'card', 'sidebar', 'muted'] as const;
const USES: { what: string; fg: Paint; bg: Paint; min: number }[] = [
  // A button's label on its fill (Button variants default and danger).
  { what: 'primary button label', fg: 'primary-foreground', bg: 'primary', min: 4.5 },
  { what: 'danger button label', fg: 'danger-foreground', bg: 'danger', min: 4.5 },
  // Inline status words (text-success "Saved.", text-warning notes, the status bar on --sidebar).
  ...(['primary', ...STATUS] as const).flatMap((t) => SURFACES.map((s) => ({ what: `text-${t} on ${s}`, fg: t, bg: s, min: 4.5 }))),
  // Badges (components/ui/badge.tsx): text-x on bg-x/15, on a card or the page; primary on accent.
  ...STATUS.flatMap((t) =>
    (['card', 'background'] as const).map((s) => ({ what: `${t} badge on ${s}`, fg: t, bg: { token: t, alpha: 0.15, on: s }, min: 4.5 })),
  ),
  { what: 'primary badge', fg: 'primary', bg: 'accent', min: 4.5 },
  // Notices (ErrorNotice, settings warnings…): text-x on bg-x/10; RestartedBanner's text-danger/90.
  ...(['warning', 'danger'] as const).flatMap((t) =>
    (['card', 'background'] as const).map((s) => ({ what: `${t} notice on ${s}`, fg: t, bg: { token: t, alpha: 0.1, on: s }, min: 4.5 })),
  ),
  {
    what: 'restarted banner text-danger/90',
    fg: { token: 'danger', alpha: 0.9, on: 'danger/10' },
    bg: { token: 'danger', alpha: 0.1, on: 'background' },
    min: 4.5,
  },
  // Graphics only: a progress bar's fill on its bg-muted track.
  ...(['primary', 'success', 'danger'] as const).map((t) => ({ what: `${t} progress fill`, fg: t, bg: 'muted', min: 3 })),
];

function paint(t: Record<string, string>, p: Paint): string {
  if (typeof p === 'string') {
    expect(t[p], `--${p}`).toMatch(/^#[0-9a-fA-F]{6}$/);
    return t[p] as string;
  }
  // `on: 'danger/10'` is a tint itself (text over a tinted banner), laid over the page.
  const [base, pct] = p.on.split('/');
  const under = pct ? over(paint(t, base as string), Number(pct) / 100, paint(t, 'background')) : paint(t, p.on);
  return over(paint(t, p.token), p.alpha, under);
}

describe('theme contrast', () => {
  it('measures as WCAG does', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#fff', '#ffffff')).toBeCloseTo(1, 5);
    // The old light primary: white on amber-600, the 3.2:1 this test exists for.
    expect(contrast('#ffffff', '#d97706')).toBeCloseTo(3.19, 2);
    // The old light warning badge: amber-600 on its own 15% tint over white, 2.7:1.
    expect(over('#d97706', 0.15, '#ffffff')).toBe('#f9ebda');
    expect(contrast('#d97706', over('#d97706', 0.15, '#ffffff'))).toBeCloseTo(2.72, 2);
  });

  for (const scheme of [':root', '.dark'] as const) {
    it(`keeps every used pairing readable in ${scheme === ':root' ? 'light' : 'dark'} mode`, () => {
      const t = tokens(scheme);
      const failing = USES.map((u) => ({ ...u, ratio: contrast(paint(t, u.fg), paint(t, u.bg)) }))
        .filter((u) => u.ratio < u.min)
        .map((u) => `${u.what}: ${u.ratio.toFixed(2)}:1 < ${u.min}:1`);
      expect(failing, scheme).toEqual([]);
    });
  }

  it('keeps the statuses one family: dark is the same hues, lighter', () => {
    // A light token is darker than its dark-mode twin (text on white vs on near-black).
    for (const name of ['primary', ...STATUS]) {
      const [light, dark] = [tokens(':root')[name] as string, tokens('.dark')[name] as string];
      expect(contrast(light, '#000000'), name).toBeLessThan(contrast(dark, '#000000'));
    }
  });
});
