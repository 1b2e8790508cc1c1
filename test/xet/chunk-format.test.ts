/** Xorb chunks on bytes alone: headers, the three schemes, byte grouping, and the streaming decoder. */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { compressFrameSync } from 'lz4-napi';
import { describe, expect, it, vi } from 'vitest';
import {
  ChunkFramer,
  decodeChunkData,
  decodeFramed,
  MAX_CHUNK_BYTES,
  parseChunkHeader,
  releaseFramed,
  type FramedChunk,
} from '../../src-main/xet/chunk-format';
import { XetDataError } from '../../src-main/xet/errors';
import { dropRead, readSlabsInUse, SLAB_BYTES, takeReadSlab } from '../../src-main/xet/read-slabs';
import { chunkHeader, encodeChunk, type CompressionPolicy } from '../fakehub/xet/xorbs';

function serialize(data: Buffer, policy: CompressionPolicy): Buffer {
  const { scheme, payload } = encodeChunk(data, policy);
  const stored = payload ?? data;
  return Buffer.concat([chunkHeader(scheme, stored.length, data.length), stored]);
}

const problem = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof XetDataError ? e.problem : `not typed: ${String(e)}`;
  }
  return 'no error';
};

/** The CommonJS module the decoder loads (lazy-package.ts), whose decoders a test can watch. */
const lz4Cjs = createRequire(import.meta.url)('lz4-napi') as { uncompressSync: (b: Buffer) => Buffer; decompressFrameSync: (b: Buffer) => Buffer };

const text = Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(1500));
const floats = Buffer.alloc(40_002);
for (let i = 0; i + 4 <= floats.length; i += 4) floats.writeFloatLE(Math.sin(i / 1000) * 0.01, i);

describe('chunk headers', () => {
  it('reads version 0 headers with little-endian 24-bit lengths', () => {
    expect(parseChunkHeader(chunkHeader(1, 0x012345, 0x01abcd))).toEqual({ compressedLength: 0x012345, scheme: 1, uncompressedLength: 0x01abcd });
  });

  it('refuses other versions, unknown schemes, impossible lengths and short headers, each by kind', () => {
    const h = chunkHeader(0, 100, 100);
    expect(problem(() => parseChunkHeader(Buffer.concat([Buffer.from([1]), h.subarray(1)])))).toBe('chunk-header');
    expect(problem(() => parseChunkHeader(chunkHeader(3 as 0, 100, 100)))).toBe('chunk-scheme');
    expect(problem(() => parseChunkHeader(chunkHeader(1, 100, MAX_CHUNK_BYTES + 1)))).toBe('chunk-header');
    expect(problem(() => parseChunkHeader(chunkHeader(1, 2 * MAX_CHUNK_BYTES + 1, 100)))).toBe('chunk-header');
    expect(problem(() => parseChunkHeader(chunkHeader(0, 99, 100)))).toBe('chunk-header');
    expect(problem(() => parseChunkHeader(chunkHeader(1, 10, 0)))).toBe('chunk-header');
    expect(problem(() => parseChunkHeader(h.subarray(0, 7)))).toBe('chunk-truncated');
  });
});

describe('schemes', () => {
  it.each([
    ['none', randomBytes(5000), 0],
    ['lz4', text, 1],
    ['bg4', floats, 2],
  ] as const)('decodes scheme %s', (policy, data, scheme) => {
    const chunk = serialize(data, policy);
    const header = parseChunkHeader(chunk);
    expect(header.scheme).toBe(scheme);
    expect(decodeChunkData(header, chunk.subarray(8)).equals(data)).toBe(true);
  });

  it('refuses a chunk that decompresses to another size, does not decompress, or is short', () => {
    const chunk = serialize(text, 'lz4');
    const h = parseChunkHeader(chunk);
    expect(problem(() => decodeChunkData({ ...h, uncompressedLength: h.uncompressedLength - 1 }, chunk.subarray(8)))).toBe('chunk-size');
    expect(problem(() => decodeChunkData(h, Buffer.alloc(h.compressedLength, 0x55)))).toBe('chunk-size');
    expect(problem(() => decodeChunkData(h, chunk.subarray(8, chunk.length - 1)))).toBe('chunk-truncated');
  });

  it('decodes xet-core’s frames in the wasm, whole or in pieces, without lz4-napi; other frames go to its frame decoder', () => {
    const blocks = vi.spyOn(lz4Cjs, 'uncompressSync');
    const frames = vi.spyOn(lz4Cjs, 'decompressFrameSync');
    try {
      for (const [policy, data] of [
        ['lz4', text],
        ['bg4', floats],
      ] as const) {
        const stored = serialize(data, policy).subarray(8);
        const header = parseChunkHeader(serialize(data, policy));
        const into = Buffer.alloc(data.length);
        expect(decodeChunkData(header, stored).equals(data)).toBe(true);
        expect(decodeChunkData(header, [stored.subarray(0, 1), stored.subarray(1, 5000), stored.subarray(5000)], into)).toBe(into);
        expect(into.equals(data)).toBe(true);
        expect(problem(() => decodeChunkData(header, [stored.subarray(0, 10), stored.subarray(11)]))).toBe('chunk-truncated');
        for (const wrong of [data.length - 1, data.length + 1]) expect(() => decodeChunkData(header, stored, Buffer.alloc(wrong))).toThrow(RangeError);
      }
      // A worker's batch, in shared memory, and into shared memory: the wasm too.
      const stored = serialize(floats, 'bg4').subarray(8);
      const inShared = Buffer.from(new SharedArrayBuffer(stored.length));
      inShared.set(stored);
      const outShared = Buffer.from(new SharedArrayBuffer(floats.length));
      expect(decodeChunkData(parseChunkHeader(serialize(floats, 'bg4')), inShared, outShared).equals(floats)).toBe(true);
      expect(blocks).not.toHaveBeenCalled();
      expect(frames).not.toHaveBeenCalled();
      const checksummed = compressFrameSync(text, { contentChecksum: true });
      expect(decodeChunkData({ compressedLength: checksummed.length, scheme: 1, uncompressedLength: text.length }, checksummed).equals(text)).toBe(true);
      expect(frames).toHaveBeenCalledTimes(1);
    } finally {
      blocks.mockRestore();
      frames.mockRestore();
    }
  });
});

describe('ChunkFramer, then decodeFramed', () => {
  const raw = randomBytes(3000);
  const stream = Buffer.concat([serialize(raw, 'none'), serialize(text, 'lz4'), serialize(floats, 'bg4'), serialize(raw.subarray(0, 999), 'none')]);

  it('gives the same chunks however the bytes are split, holding one partial chunk at most', () => {
    for (const step of [1, 7, 3008, 3009, 4096, stream.length]) {
      const d = new ChunkFramer();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step)
        out.push(
          ...d.push(stream.subarray(i, i + step)).map((f) => {
            const c = decodeFramed(f);
            expect(c.parts.reduce((n, p) => n + p.length, 0)).toBe(c.length);
            return Buffer.concat(c.parts);
          }),
        );
      d.end();
      expect(out.map((b) => b.length)).toEqual([3000, text.length, floats.length, 999]);
      expect(out[0]?.equals(raw), `step ${step}`).toBe(true);
      expect(out[1]?.equals(text)).toBe(true);
      expect(out[2]?.equals(floats)).toBe(true);
      expect(out[3]?.equals(raw.subarray(0, 999)), `step ${step}`).toBe(true);
      expect(d.consumed).toBe(stream.length);
    }
  });

  it('holds the read slabs under a chunk until it is released, and gives back a partial chunk on release', () => {
    const base = readSlabsInUse();
    for (const step of [1000, 3008, 5000, SLAB_BYTES]) {
      const d = new ChunkFramer();
      const out: Buffer[] = [];
      const frames = [];
      for (let i = 0; i < stream.length; i += step) {
        // As the reader does: the bytes in a slab of their own, lent until the next read.
        const slab = takeReadSlab();
        const n = stream.copy(slab, 0, i, Math.min(stream.length, i + step));
        frames.push(...d.push(slab.subarray(0, n)));
        dropRead(slab);
      }
      d.end();
      expect(frames.every((f) => f.lent)).toBe(true);
      // Poisoned once free (test/helpers/poison-reads.ts): decoded now, every byte must still be right.
      for (const f of frames) {
        const c = decodeFramed(f);
        out.push(Buffer.concat(c.parts));
        c.release?.();
      }
      expect(out[0]?.equals(raw), `step ${step}`).toBe(true);
      expect(out[1]?.equals(text)).toBe(true);
      expect(out[2]?.equals(floats)).toBe(true);
      expect(out[3]?.equals(raw.subarray(0, 999)), `step ${step}`).toBe(true);
      expect(readSlabsInUse(), `step ${step}`).toBe(base);
    }
    const cut = new ChunkFramer();
    const slab = takeReadSlab();
    const first = cut.push(slab.subarray(0, stream.copy(slab, 0, 0, 3008 + 20)));
    dropRead(slab);
    expect(first).toHaveLength(1);
    releaseFramed(first[0] as FramedChunk);
    // The 20 bytes of the next chunk keep the slab.
    expect(readSlabsInUse()).toBe(base + 1);
    cut.release();
    expect(readSlabsInUse()).toBe(base);
  });

  it('gives back the read slabs of chunks cut before a header that does not parse', () => {
    const base = readSlabsInUse();
    const d = new ChunkFramer();
    const slab = takeReadSlab();
    const first = stream.copy(slab, 0, 0, 3008);
    // A header of version 9: not a chunk.
    Buffer.from([9, 0, 0, 0, 0, 0, 0, 0]).copy(slab, first);
    expect(problem(() => d.push(slab.subarray(0, first + 8)))).not.toBe('no error');
    dropRead(slab);
    d.release();
    expect(readSlabsInUse()).toBe(base);
  });

  it('says where the last whole chunk ended, and that a body cut inside a chunk is truncated', () => {
    const d = new ChunkFramer();
    d.push(stream.subarray(0, 3008 + 20));
    expect(d.consumed).toBe(3008);
    expect(problem(() => d.end())).toBe('chunk-truncated');
  });
});
