/**
 * xet/serving-ranges.ts answers what a scan of every fetch range would (checked against one on
 * random plans), in time that does not grow with terms × ranges.
 */
import { describe, expect, it } from 'vitest';
import type { XetFetch } from '../../src-main/xet/reconstruction';
import { ServingRanges } from '../../src-main/xet/serving-ranges';

const X = 'a'.repeat(64);
const Y = 'b'.repeat(64);
const fetch = (xorb: string, url: string, ...chunks: [number, number][]): XetFetch => ({
  xorb,
  url,
  ranges: chunks.map(([start, end]) => ({ chunks: { start, end }, bytes: { start: start * 100, end: end * 100 - 1 } })),
});

/** Seeded, so a failure replays. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('ServingRanges', () => {
  it('finds a range of the same xorb holding the chunks, and none where no range does', () => {
    const index = new ServingRanges([fetch(X, 'u1', [0, 4], [10, 12]), fetch(Y, 'u2', [0, 100]), fetch(X, 'u3', [2, 8])]);
    expect(index.find(X, 1, 3)?.fetch.url).toBe('u1');
    // [0, 4) starts earlier but [2, 8) reaches further: the latter holds 3..7.
    expect(index.find(X, 3, 7)?.fetch.url).toBe('u3');
    expect(index.find(X, 10, 12)?.range.chunks).toEqual({ start: 10, end: 12 });
    expect(index.find(X, 7, 9)).toBeNull();
    expect(index.find(X, 11, 13)).toBeNull();
    expect(index.find('c'.repeat(64), 0, 1)).toBeNull();
    expect(index.find(Y, 50, 100)?.fetch.url).toBe('u2');
  });

  it('of equal ranges, the first in the plan', () => {
    const index = new ServingRanges([fetch(X, 'first', [0, 4]), fetch(X, 'second', [0, 4])]);
    expect(index.find(X, 0, 4)?.fetch.url).toBe('first');
  });

  it('agrees with a scan of every range on random plans', () => {
    const next = random(25);
    for (let round = 0; round < 200; round++) {
      const xorbs = [X, Y];
      const fetches = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) => {
        const ranges: [number, number][] = Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
          const start = Math.floor(next() * 40);
          return [start, start + 1 + Math.floor(next() * 20)];
        });
        return fetch(xorbs[Math.floor(next() * 2)] as string, `u${i}`, ...ranges);
      });
      const index = new ServingRanges(fetches);
      for (let q = 0; q < 50; q++) {
        const xorb = xorbs[Math.floor(next() * 2)] as string;
        const start = Math.floor(next() * 60);
        const end = start + 1 + Math.floor(next() * 20);
        const covered = fetches.some((f) => f.xorb === xorb && f.ranges.some((r) => r.chunks.start <= start && r.chunks.end >= end));
        const found = index.find(xorb, start, end);
        expect(found !== null, `round ${round}: ${xorb.slice(0, 1)} ${start}-${end}`).toBe(covered);
        if (found) {
          expect(found.fetch.xorb).toBe(xorb);
          expect(found.range.chunks.start).toBeLessThanOrEqual(start);
          expect(found.range.chunks.end).toBeGreaterThanOrEqual(end);
        }
      }
    }
  });

  it('answers 131,072 lookups among 131,072 ranges of one xorb at once (a scan of each was 10^10 steps)', () => {
    const n = 1 << 17;
    const fetches = Array.from({ length: n }, (_, i) => fetch(X, `u${i}`, [i % 8000, (i % 8000) + 1]));
    const started = performance.now();
    const index = new ServingRanges(fetches);
    let found = 0;
    for (let i = 0; i < n; i++) if (index.find(X, i % 8192, (i % 8192) + 1)) found++;
    // 8000 of every 8192 chunk numbers have a range.
    expect(found).toBe(Math.floor(n / 8192) * 8000);
    // Tens of milliseconds here; the bound only tells a hang from a lookup (the scan took minutes).
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
