/**
 * LZ4 frames (the LZ4 frame format) as xorb chunks hold them: one frame of one to three independent
 * blocks. The frame is read here and each block goes to a block decoder: the WebAssembly one
 * (chunk-decode-wasm.ts), in place in its memory, or lz4-napi's where that does not run.
 * lz4-napi's frame decoder ran at ~400 MB/s on byte-grouped weights here, against ~1.7 GB/s for
 * its block decoder on the same bytes (docs/performance.md). A frame this does not take (linked
 * blocks, checksums, a dictionary, blocks shorter than the frame's block size before the last)
 * goes to the frame decoder, which decides: same bytes out, or the error.
 */
import type { WasmCode } from './chunk-decode-wasm';
import { lz4 } from './packages';

const MAGIC = 0x184d2204;
/** The frame's block size by its BD byte's bits 6-4 (4 to 7). */
const BLOCK_MAX = [64 << 10, 256 << 10, 1 << 20, 4 << 20];
const UNCOMPRESSED_BLOCK = 0x80000000;

/**
 * Decodes a compressed block of `n` bytes at `at` in the frame into `expect` bytes at `written` of
 * the output; false when it does not give exactly those.
 */
type BlockDecoder = (at: number, n: number, written: number, expect: number) => boolean;

/** Fills `out` from the frame's blocks; false when the frame is not one this reads (nothing is claimed about the bytes then). */
function blocksInto(frame: Uint8Array, out: Uint8Array, decode: BlockDecoder): boolean {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame.length < 7 || view.getUint32(0, true) !== MAGIC) return false;
  const flg = frame[4] as number;
  const bd = frame[5] as number;
  // Version 01; independent blocks; no block checksums, content checksum or dictionary.
  if (flg >> 6 !== 1 || (flg & 0x20) === 0 || (flg & 0x17) !== 0) return false;
  const blockMax = BLOCK_MAX[((bd >> 4) & 7) - 4];
  if (blockMax === undefined) return false;
  let at = 6 + (flg & 0x08 ? 8 : 0) + 1; // the content size when given, then the header checksum
  let written = 0;
  for (;;) {
    if (at + 4 > frame.length) return false;
    const word = view.getUint32(at, true);
    at += 4;
    if (word === 0) break;
    const n = (word & ~UNCOMPRESSED_BLOCK) >>> 0;
    if (at + n > frame.length) return false;
    // Every block but the last is full: its size is known, as the block decoder needs it.
    const expect = Math.min(blockMax, out.length - written);
    if (word & UNCOMPRESSED_BLOCK) {
      if (n > expect) return false;
      out.set(frame.subarray(at, at + n), written);
      written += n;
    } else {
      if (expect === 0 || !decode(at, n, written, expect)) return false;
      written += expect;
    }
    at += n;
  }
  return at === frame.length && written === out.length;
}

/** lz4-napi's block decoder over a frame in a Buffer. */
function napiBlocks(frame: Buffer, out: Buffer): BlockDecoder {
  return (at, n, written, expect) => {
    const word = frame.readUInt32LE(at - 4);
    // The block decoder reads the decoded size in front of the block: that is where the frame has
    // the block's own size word, read above. It is swapped for the decoder and put back, so no
    // caller sees its buffer change (decoding is synchronous), and no block is copied.
    frame.writeUInt32LE(expect, at - 4);
    let block: Buffer;
    try {
      block = lz4().uncompressSync(frame.subarray(at - 4, at + n));
    } catch {
      return false;
    } finally {
      frame.writeUInt32LE(word, at - 4);
    }
    if (block.length !== expect) return false;
    block.copy(out, written);
    return true;
  };
}

/** The frame decoder's verdict: the bytes into `out` when they fit it. */
function wholeFrameInto(frame: Buffer, out: Uint8Array): boolean {
  const whole = lz4().decompressFrameSync(frame);
  if (whole.length !== out.length) return false;
  out.set(whole);
  return true;
}

/**
 * The frame's bytes into `out`, which must be exactly their length: true when they fit it.
 * Throws what the frame decoder throws for a frame that is not LZ4.
 */
export function decodeLz4FrameInto(frame: Buffer, out: Buffer): boolean {
  return blocksInto(frame, out, napiBlocks(frame, out)) || wholeFrameInto(frame, out);
}

/**
 * The same in the wasm's memory: the frame at [src, src+frameLength) decoded into [dst, dst+length),
 * which the block loop may overrun by WRITE_SLACK bytes.
 */
export function decodeLz4FrameAt(w: WasmCode, src: number, frameLength: number, dst: number, length: number): boolean {
  const frame = w.bytes.subarray(src, src + frameLength);
  const out = w.bytes.subarray(dst, dst + length);
  const blocks: BlockDecoder = (at, n, written, expect) => w.lz4block(src + at, n, dst + written, expect) === expect;
  return blocksInto(frame, out, blocks) || wholeFrameInto(frame, out);
}
