/**
 * Contrast as Chromium draws it: an element's text colour and the background under it, each
 * composited through every translucent layer (a badge's `bg-success/15` over a card over the page),
 * so a tint or an opacity modifier is judged as seen, not as its token.
 */
import type { Locator } from 'playwright-core';

export interface Drawn {
  /** The element's text colour over its background, opaque. */
  text: string;
  /** Its own background over its ancestors' down from the page's white canvas, opaque. */
  background: string;
  /** The background under it (its parent's, composited the same way). */
  under: string;
}

/**
 * Draws the layers on a 1×1 canvas (which blends in sRGB as the page does, and takes any CSS colour:
 * Tailwind 4's tints are `color-mix(in oklab, …)`) and reads the pixel back.
 */
export function drawn(element: Locator): Promise<Drawn> {
  return element.evaluate((el) => {
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2d canvas');
    const layers: Element[] = [];
    for (let node: Element | null = el; node; node = node.parentElement) layers.unshift(node);
    const paint = (colours: string[]) => {
      ctx.globalCompositeOperation = 'copy';
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, 1, 1);
      ctx.globalCompositeOperation = 'source-over';
      for (const c of colours) {
        ctx.fillStyle = c;
        ctx.fillRect(0, 0, 1, 1);
      }
      const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
      return `#${[r, g, b].map((v) => (v ?? 0).toString(16).padStart(2, '0')).join('')}`;
    };
    const backgrounds = layers.map((n) => getComputedStyle(n).backgroundColor);
    return {
      text: paint([...backgrounds, getComputedStyle(el).color]),
      background: paint(backgrounds),
      under: paint(backgrounds.slice(0, -1)),
    };
  });
}
