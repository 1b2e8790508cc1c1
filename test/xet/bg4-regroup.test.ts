/** Byte grouping by 4 undone: the wasm shuffles and the JS words path (the wasm's source: chunk-decode-wasm.test.ts). */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bg4Input, bg4Regroup, bg4RegroupPath, bg4RegroupWords } from '../../src-main/xet/bg4-regroup';
import { MAX_CHUNK_BYTES } from '../../src-main/xet/chunk-format';
import { bg4Split } from '../fakehub/xet/xorbs';

// Below 16 bytes no word is whole; around 64 (one wasm step of each group); the chunk sizes.
const LENGTHS = [...Array.from({ length: 80 }, (_, i) => i), 127, 128, 129, 255, 65_535, 65_536, 65_537, 65_538, 65_539, MAX_CHUNK_BYTES - 1, MAX_CHUNK_BYTES];

describe('bg4Regroup', () => {
  it('runs the wasm shuffles on this Node', () => {
    expect(bg4RegroupPath()).toBe('wasm');
  });

  it('undoes bg4_split for every length remainder, by both paths', () => {
    for (const n of LENGTHS) {
      const data = randomBytes(n);
      const grouped = bg4Split(data);
      expect(bg4Regroup(grouped).equals(data), `wasm, ${n} bytes`).toBe(true);
      const words = Buffer.alloc(n);
      bg4RegroupWords(grouped, words);
      expect(words.equals(data), `words, ${n} bytes`).toBe(true);
    }
  });

  it('regroups chunks decoded into its own input, and views at odd offsets', () => {
    const data = randomBytes(65_537);
    const input = bg4Input(data.length);
    input.set(bg4Split(data));
    const into = Buffer.alloc(data.length + 3).subarray(3);
    expect(bg4Regroup(input, into).equals(data)).toBe(true);
    // A view at an odd offset of a larger buffer, as a decompressed frame may be.
    const inner = bg4Split(randomBytes(1001));
    const shifted = Buffer.concat([Buffer.from([7]), inner]).subarray(1);
    expect(bg4Regroup(shifted).equals(bg4Regroup(inner))).toBe(true);
  });

  it('regroups groups found elsewhere in its own memory, and refuses an output there', () => {
    for (const n of [65_537, 1001, 63]) {
      const data = randomBytes(n);
      // At an odd offset of its input region, and in its words region (past the first 128 KiB).
      const atOdd = bg4Input(n + 7).subarray(7);
      atOdd.set(bg4Split(data));
      expect(bg4Regroup(atOdd).equals(data), `offset 7, ${n} bytes`).toBe(true);
      const inWords = Buffer.from(bg4Input(1).buffer, 131_072 + 5, n);
      inWords.set(bg4Split(data));
      expect(bg4Regroup(inWords).equals(data), `words region, ${n} bytes`).toBe(true);
    }
    expect(() => bg4Regroup(bg4Input(64), bg4Input(64))).toThrow(RangeError);
  });

  it('takes buffers larger than a chunk by the words path', () => {
    const data = randomBytes(300_001);
    expect(bg4Regroup(bg4Split(data)).equals(data)).toBe(true);
    // Its memory holds the largest chunk the format allows, and no more.
    expect(bg4Input(MAX_CHUNK_BYTES).length).toBe(MAX_CHUNK_BYTES);
    expect(() => bg4Input(MAX_CHUNK_BYTES + 1)).toThrow(RangeError);
    expect(() => bg4Regroup(Buffer.alloc(8), Buffer.alloc(7))).toThrow(RangeError);
  });
});
