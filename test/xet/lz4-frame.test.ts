/**
 * LZ4 frames read block by block (xet/lz4-frame.ts): the bytes lz4-napi's frame decoder gives, for
 * frames of one to three blocks, uncompressed blocks, and frames the block path does not take
 * (checksums, blocks shorter than the block size), which the frame decoder decides.
 */
import { randomBytes } from 'node:crypto';
import { compressFrameSync, compressSync, decompressFrameSync } from 'lz4-napi';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { decodeLz4FrameInto } from '../../src-main/xet/lz4-frame';

const text = (n: number) => Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(n / 45) + 1)).subarray(0, n);

function decoded(frame: Buffer, length: number): Buffer | null {
  const out = Buffer.alloc(length);
  return decodeLz4FrameInto(frame, out) ? out : null;
}

/** A frame of these blocks (each compressed on its own, or stored when `raw`), behind the header lz4-napi writes. */
function frameOf(blocks: { data: Buffer; raw?: boolean }[]): Buffer {
  const header = compressFrameSync(text(10)).subarray(0, 7);
  const parts = [header];
  for (const b of blocks) {
    const body = b.raw ? b.data : compressSync(b.data).subarray(4);
    const size = Buffer.alloc(4);
    size.writeUInt32LE((body.length | (b.raw ? 0x80000000 : 0)) >>> 0);
    parts.push(size, body);
  }
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

/** The CommonJS module the decoder loads (lazy-package.ts), whose frame decoder a test can watch. */
const lz4Cjs = createRequire(import.meta.url)('lz4-napi') as { decompressFrameSync: (b: Buffer) => Buffer };

describe('decodeLz4FrameInto', () => {
  it('reads the frames xet-core writes block by block, never through the frame decoder', () => {
    const spy = vi.spyOn(lz4Cjs, 'decompressFrameSync');
    try {
      for (const n of [1000, 65_536, 100_000, 131_072]) expect(decoded(compressFrameSync(text(n)), n)?.equals(text(n))).toBe(true);
      expect(spy).not.toHaveBeenCalled();
      // A frame with a content checksum goes to it.
      expect(decoded(compressFrameSync(text(1000), { contentChecksum: true }), 1000)?.equals(text(1000))).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it.each([1, 1000, 65_536, 65_537, 131_072])('gives the frame decoder’s bytes for %i bytes of text and of noise', (n) => {
    for (const data of [text(n), randomBytes(n)]) {
      const frame = compressFrameSync(data);
      expect(decoded(frame, n)?.equals(data)).toBe(true);
      expect(decompressFrameSync(frame).equals(data)).toBe(true);
    }
  });

  it('leaves the frame’s bytes as they were, whether it decodes or fails', () => {
    const frame = compressFrameSync(text(131_072));
    const before = Buffer.from(frame);
    expect(decoded(frame, 131_072)?.equals(text(131_072))).toBe(true);
    expect(frame.equals(before)).toBe(true);
    // A block that does not decode (its bytes garbled) puts the size word back too.
    const garbled = Buffer.from(frame);
    garbled.fill(0xff, 20, 60);
    const kept = Buffer.from(garbled);
    try {
      decoded(garbled, 131_072);
    } catch {
      // the frame decoder's verdict; the bytes are what this test reads
    }
    expect(garbled.equals(kept)).toBe(true);
  });

  it('reads uncompressed blocks and compressed ones in one frame', () => {
    const a = randomBytes(65_536);
    const b = text(30_000);
    expect(decoded(frameOf([{ data: a, raw: true }, { data: b }]), a.length + b.length)?.equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('leaves to the frame decoder a frame with checksums, and one whose first block is short', () => {
    const data = text(100_000);
    expect(decoded(compressFrameSync(data, { contentChecksum: true }), data.length)?.equals(data)).toBe(true);
    expect(decoded(compressFrameSync(data, { blockChecksums: true }), data.length)?.equals(data)).toBe(true);
    const short = frameOf([{ data: data.subarray(0, 1000) }, { data: data.subarray(1000, 66_536) }, { data: data.subarray(66_536) }]);
    expect(decoded(short, data.length)?.equals(data)).toBe(true);
  });

  it('says no for another length, and throws for bytes that are not a frame', () => {
    const data = text(70_000);
    expect(decoded(compressFrameSync(data), data.length - 1)).toBeNull();
    expect(decoded(compressFrameSync(data), data.length + 1)).toBeNull();
    expect(() => decoded(Buffer.alloc(100, 0x55), 100)).toThrow();
  });

  it('a frame cut short, without its end mark, or with a block longer than the frame: an error or the right bytes, never other bytes', () => {
    const data = text(100_000);
    const frame = compressFrameSync(data);
    const outcome = (bent: Buffer) => {
      try {
        const out = decoded(bent, data.length);
        return out === null ? 'refused' : out.equals(data) ? 'right' : 'wrong';
      } catch {
        return 'threw';
      }
    };
    expect(outcome(frame.subarray(0, frame.length - 10))).not.toBe('wrong');
    expect(outcome(frame.subarray(0, frame.length - 10))).not.toBe('right');
    expect(outcome(frame.subarray(0, frame.length - 4))).not.toBe('wrong');
    expect(outcome(Buffer.concat([frame.subarray(0, 7), Buffer.from([0xff, 0xff, 0x00, 0x00]), frame.subarray(11)]))).not.toBe('wrong');
  });
});
