/**
 * The decode workers' shared arena (xet/decode-arena.ts): spans from the lowest free pages, given
 * back exactly once; none when no run of pages is free (the pool then moves buffers instead).
 */
import { describe, expect, it } from 'vitest';
import { DecodeArena } from '../../src-main/xet/decode-arena';

const KiB = 1024;

describe('DecodeArena', () => {
  it('hands out the lowest run of free pages that fits, and takes them back', () => {
    const a = new DecodeArena(256 * KiB);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.alloc(40 * KiB)).toBe(0);
    expect(a.alloc(1)).toBe(48 * KiB);
    expect(a.alloc(16 * KiB)).toBe(64 * KiB);
    expect(a.inUse).toBe(80 * KiB);
    a.free(0, 40 * KiB);
    // A gap of three pages: a two-page span goes there, a four-page one after the last span.
    expect(a.alloc(64 * KiB)).toBe(80 * KiB);
    expect(a.alloc(32 * KiB)).toBe(0);
    expect(a.inUse).toBe(32 * KiB + 16 * KiB + 16 * KiB + 64 * KiB);
  });

  it('has no span when no run of free pages is long enough, though enough pages are free', () => {
    const a = new DecodeArena(64 * KiB);
    const spans = [0, 1, 2, 3].map(() => a.alloc(16 * KiB) as number);
    expect(a.alloc(1)).toBeNull();
    a.free(spans[0] as number, 16 * KiB);
    a.free(spans[2] as number, 16 * KiB);
    expect(a.alloc(32 * KiB)).toBeNull();
    expect(a.alloc(16 * KiB)).toBe(0);
  });

  it('refuses to free what it did not hand out, or twice', () => {
    const a = new DecodeArena(64 * KiB);
    const at = a.alloc(20 * KiB) as number;
    expect(() => a.free(at + 1, 20 * KiB)).toThrow(/did not hand out/);
    expect(() => a.free(48 * KiB, 16 * KiB)).toThrow(/did not hand out/);
    expect(() => a.free(0, 128 * KiB)).toThrow(/did not hand out/);
    a.free(at, 20 * KiB);
    expect(() => a.free(at, 20 * KiB)).toThrow(/did not hand out/);
    expect(a.inUse).toBe(0);
  });

  it('views are of the shared memory itself', () => {
    const a = new DecodeArena(64 * KiB);
    const at = a.alloc(100) as number;
    a.view(at, 100).fill(7);
    expect(new Uint8Array(a.buffer, at, 100).every((b) => b === 7)).toBe(true);
  });
});
