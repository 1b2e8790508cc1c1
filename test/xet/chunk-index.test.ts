/**
 * The local chunk index (xet/chunk-index.ts): where a run of a xorb's chunks lies in a local file
 * whose terms we know, from the run's ends alone or from the local term cut again by the chunker,
 * which cuts a term exactly as it cut the whole file.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkIndex, chunkLengths, placedTerms, skipFor, skipFromLengths, type PlacedTerm } from '../../src-main/xet/chunk-index';
import { ServingRanges } from '../../src-main/xet/serving-ranges';

const X = 'a'.repeat(64);
const Y = 'b'.repeat(64);
const term = (start: number, end: number, unpacked: number, offset = 0, xorb = X): PlacedTerm => ({ xorb, start, end, unpacked, offset });

describe('chunk index', () => {
  it('places a run by the ends of the local term that holds it, and asks for chunk lengths only inside it', () => {
    const src = term(10, 20, 1000, 5000);
    expect(skipFor(src, 10, 20, 1000)).toBe(0);
    expect(skipFor(src, 10, 20, 999)).toBeUndefined();
    expect(skipFor(src, 10, 14, 400)).toBe(0);
    expect(skipFor(src, 15, 20, 300)).toBe(700);
    expect(skipFor(src, 12, 18, 500)).toBeNull();
    expect(skipFor(src, 9, 12, 300)).toBeUndefined();
    expect(skipFor(src, 18, 21, 300)).toBeUndefined();
    // A run that claims more bytes than the whole local term is not in it.
    expect(skipFor(src, 10, 14, 1000)).toBeUndefined();
    const lengths = [100, 100, 50, 150, 100, 100, 100, 100, 100, 100];
    expect(skipFromLengths(src, lengths, 12, 14, 200)).toBe(200);
    expect(skipFromLengths(src, lengths, 12, 14, 201)).toBeUndefined();
    expect(skipFromLengths(src, lengths.slice(1), 12, 14, 200)).toBeUndefined();
  });

  it('finds runs across sources, those known by their ends first, and forgets a source', () => {
    const index = new ChunkIndex<string>();
    index.add('a', [term(0, 10, 1000, 0), term(0, 5, 500, 0, Y)]);
    index.add('b', [term(0, 4, 400, 100)]);
    expect(index.find(X, 0, 4, 400).map((h) => [h.source, h.skip])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
    expect(index.find(X, 2, 4, 200).map((h) => [h.source, h.skip])).toEqual([
      ['b', 200],
      ['a', null],
    ]);
    index.remove('b');
    expect(index.find(X, 2, 4, 200).map((h) => h.source)).toEqual(['a']);
    expect(index.has(Y)).toBe(true);
    expect(index.find(Y, 0, 6, 600)).toEqual([]);
  });

  it('cuts a term alone exactly as the whole file was cut, so interior runs are found', () => {
    const data = randomBytes(4 << 20);
    const all = chunkLengths(data);
    expect(all.reduce((n, l) => n + l, 0)).toBe(data.length);
    const at = all.slice(0, 7).reduce((n, l) => n + l, 0);
    const len = all.slice(7, 30).reduce((n, l) => n + l, 0);
    expect(chunkLengths(data.subarray(at, at + len))).toEqual(all.slice(7, 30));
    const src = term(7, 30, len, at);
    const inner = all.slice(12, 20).reduce((n, l) => n + l, 0);
    expect(skipFromLengths(src, chunkLengths(data.subarray(at, at + len)), 12, 20, inner)).toBe(all.slice(7, 12).reduce((n, l) => n + l, 0));
  });

  it("places a plan window's terms at their file offsets, the first before the window when the plan says so", () => {
    const plan = {
      version: 2 as const,
      offset: 300,
      terms: [
        { xorb: X, chunks: { start: 3, end: 5 }, unpacked: 1000 },
        { xorb: Y, chunks: { start: 0, end: 1 }, unpacked: 50 },
      ],
      fetches: [],
      serving: new ServingRanges([]),
    };
    expect(placedTerms(plan, 10_000)).toEqual([term(3, 5, 1000, 9700), term(0, 1, 50, 10_700, Y)]);
  });
});
