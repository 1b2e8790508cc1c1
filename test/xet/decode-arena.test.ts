/**
 * The decode workers' shared arena (xet/decode-arena.ts): spans from the lowest free pages, given
 * back exactly once; none when no run of pages is free (the pool then moves buffers instead). A
 * chunk decoded on the download's thread into an arena gives what decodeFramed gives.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChunkFramer, decodeFramed, type FramedChunk } from '../../src-main/xet/chunk-format';
import { DecodeArena, decodeFramedIn, LazyArena } from '../../src-main/xet/decode-arena';
import { XetDataError } from '../../src-main/xet/errors';
import { chunkHeader, encodeChunk, type CompressionPolicy } from '../fakehub/xet/xorbs';

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

function framed(data: Buffer, policy: CompressionPolicy, piece: number): FramedChunk {
  const { scheme, payload } = encodeChunk(data, policy);
  const stored = payload ?? data;
  const bytes = Buffer.concat([chunkHeader(scheme, stored.length, data.length), stored]);
  const f = new ChunkFramer();
  const out: FramedChunk[] = [];
  for (let i = 0; i < bytes.length; i += piece) out.push(...f.push(bytes.subarray(i, i + piece)));
  return out[0] as FramedChunk;
}

describe('decodeFramedIn', () => {
  const floats = Buffer.alloc(60_001);
  for (let i = 0; i + 4 <= floats.length; i += 4) floats.writeFloatLE(Math.sin(i / 1000) * 0.01, i);
  const text = Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(900));

  it('decodes into the arena what decodeFramed gives, from one socket buffer or several, and gives it back once', () => {
    const a = new DecodeArena(1 << 20);
    for (const [data, policy] of [
      [floats, 'bg4'],
      [text, 'lz4'],
    ] as const)
      for (const piece of [1 << 20, 64]) {
        const f = framed(data, policy, piece);
        expect(f.stored.length > 1).toBe(piece === 64);
        const c = decodeFramedIn({ take: () => a }, f);
        expect(Buffer.concat(c.parts).equals(data)).toBe(true);
        expect(c.bytes).toBe(decodeFramed(f).bytes);
        expect((c.parts[0] as Buffer).buffer).toBe(a.buffer);
        // Only the output is held: stored bytes in several pieces go to the decoder as they are.
        expect(a.inUse).toBe(Math.ceil(data.length / (16 << 10)) * (16 << 10));
        c.release?.();
        c.release?.();
        expect(a.inUse).toBe(0);
      }
  });

  it('passes stored chunks through, decodes as decodeFramed when the arena is full, and frees its span when a chunk is bad', () => {
    const a = new DecodeArena(32 << 10);
    const raw = framed(text, 'none', 1 << 20);
    // A stored chunk takes no arena at all (so none is made, or kept from being let go, for it).
    const untouched = {
      take: (): DecodeArena => {
        throw new Error('an arena was taken for a stored chunk');
      },
    };
    expect(decodeFramedIn(untouched, raw).parts).toBe(raw.stored);
    const big = decodeFramedIn({ take: () => a }, framed(floats, 'bg4', 4096));
    expect(Buffer.concat(big.parts).equals(floats)).toBe(true);
    expect(big.release).toBeUndefined();
    expect(a.inUse).toBe(0);
    const f = framed(text.subarray(0, 20_000), 'lz4', 1 << 20);
    const bad = { ...f, stored: [Buffer.alloc(f.header.compressedLength, 0x55)] };
    expect(() => decodeFramedIn({ take: () => a }, bad)).toThrow(XetDataError);
    expect(a.inUse).toBe(0);
    // Split across socket buffers: nothing is held for it either.
    const split = { ...f, stored: [Buffer.alloc(10, 0x55), Buffer.alloc(f.header.compressedLength - 10, 0x55)] };
    expect(() => decodeFramedIn({ take: () => a }, split)).toThrow(XetDataError);
    expect(a.inUse).toBe(0);
    // A compressed chunk with no stored bytes at all is bad data, as decodeFramed says.
    const empty: FramedChunk = { header: { compressedLength: 0, scheme: 1, uncompressedLength: 100 }, stored: [], bytes: 8 };
    expect(() => decodeFramed(empty)).toThrow(XetDataError);
    expect(() => decodeFramedIn({ take: () => a }, empty)).toThrow(XetDataError);
    expect(a.inUse).toBe(0);
  });
});

describe('arena memory', () => {
  it('is shared for workers, as a WebAssembly memory their wasm decodes in, or the thread’s own, which has nothing to hand over', () => {
    const shared = new DecodeArena(64 * KiB);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    // Node has shared WebAssembly memory: the arena is one, with a page past its spans for reads.
    expect(shared.wasmMemory).toBeInstanceOf(WebAssembly.Memory);
    expect(shared.shared).toBe(shared.wasmMemory);
    expect(shared.wasmMemory?.buffer).toBe(shared.buffer);
    expect(shared.buffer.byteLength).toBeGreaterThanOrEqual(64 * KiB + 64 * KiB);
    const own = new DecodeArena(64 * KiB, () => {}, 'private');
    expect(own.buffer).toBeInstanceOf(ArrayBuffer);
    expect(own.wasmMemory).toBeNull();
    expect(() => own.shared).toThrow();
    expect(new LazyArena(64 * KiB, 1000, () => {}, 'private').take().buffer).toBeInstanceOf(ArrayBuffer);
    expect(new LazyArena(64 * KiB, 1000).take().buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('LazyArena', () => {
  afterEach(() => void vi.useRealTimers());

  it('makes its arena on first use and lets it go once unused for a while with nothing handed out', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    let drops = 0;
    const lazy = new LazyArena(64 * KiB, 1000, () => (drops += 1));
    expect(lazy.held).toBe(false);
    const a = lazy.take();
    expect(lazy.take()).toBe(a);
    const at = a.alloc(100) as number;
    vi.advanceTimersByTime(5000);
    // Held: a span is out.
    expect(lazy.held).toBe(true);
    a.free(at, 100);
    // Taken again half-way: the wait starts over from then.
    vi.advanceTimersByTime(500);
    lazy.take();
    vi.advanceTimersByTime(900);
    expect(lazy.held).toBe(true);
    expect(drops).toBe(0);
    vi.advanceTimersByTime(200);
    expect(lazy.held).toBe(false);
    expect(drops).toBe(1);
    expect(lazy.inUse).toBe(0);
    // Let go but not yet collected (this test holds it): taken back, not a second one touched.
    expect(lazy.take()).toBe(a);
    expect(lazy.held).toBe(true);
  });

  it('lets go an arena that was taken but never allocated from', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    let drops = 0;
    const lazy = new LazyArena(64 * KiB, 1000, () => (drops += 1));
    lazy.take();
    vi.advanceTimersByTime(1100);
    expect(lazy.held).toBe(false);
    expect(drops).toBe(1);
  });
});
