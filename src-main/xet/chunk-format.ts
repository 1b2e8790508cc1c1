/**
 * Xorb chunks (docs/hub-protocol.md §3.4; xet-core xet_core_structures/xorb_object): an 8-byte
 * header (version u8 = 0, compressed length u24 LE, scheme u8, uncompressed length u24 LE), then the
 * data: stored as is (0), one LZ4 frame (1), or byte-grouped by 4 then one LZ4 frame (2). Pure
 * functions on bytes; every length is checked against the limits before it sizes anything.
 * LZ4 frames are read by lz4-frame.ts, their blocks decoded in WebAssembly (chunk-decode-wasm.ts).
 */
import { bg4Input, bg4Regroup, regroupAt } from './bg4-regroup';
import { chunkWasm, FRAME_AT, GROUPS_AT, WORDS_AT, type WasmCode } from './chunk-decode-wasm';
import { decodeLz4FrameAt, decodeLz4FrameInto } from './lz4-frame';
import { XetDataError } from './errors';
import { dropRead, holdRead } from './read-slabs';

export const CHUNK_HEADER_BYTES = 8;
/** xet-core's MAX_CHUNK_SIZE (2 × the 64 KiB target): no chunk is larger uncompressed. */
export const MAX_CHUNK_BYTES = 128 << 10;
/** xet-core refuses compressed lengths above twice the chunk limit. */
export const MAX_COMPRESSED_BYTES = 2 * MAX_CHUNK_BYTES;

export type Scheme = 0 | 1 | 2;

export interface ChunkHeader {
  compressedLength: number;
  scheme: Scheme;
  uncompressedLength: number;
}

export function parseChunkHeader(buf: Uint8Array, at = 0): ChunkHeader {
  if (buf.length - at < CHUNK_HEADER_BYTES) throw new XetDataError('chunk-truncated', 'the body ended inside a chunk header');
  const version = buf[at] as number;
  const compressedLength = (buf[at + 1] as number) | ((buf[at + 2] as number) << 8) | ((buf[at + 3] as number) << 16);
  const scheme = buf[at + 4] as number;
  const uncompressedLength = (buf[at + 5] as number) | ((buf[at + 6] as number) << 8) | ((buf[at + 7] as number) << 16);
  if (version !== 0) throw new XetDataError('chunk-header', `a chunk header has version ${version} (this client reads version 0)`);
  if (scheme !== 0 && scheme !== 1 && scheme !== 2)
    throw new XetDataError('chunk-scheme', `a chunk uses compression scheme ${scheme}, which this client does not know`);
  if (compressedLength > MAX_COMPRESSED_BYTES || uncompressedLength > MAX_CHUNK_BYTES || uncompressedLength === 0)
    throw new XetDataError('chunk-header', `a chunk header claims impossible lengths (${compressedLength} compressed, ${uncompressedLength} uncompressed)`);
  if (scheme === 0 && compressedLength !== uncompressedLength)
    throw new XetDataError('chunk-header', `an uncompressed chunk claims ${compressedLength} stored bytes for ${uncompressedLength}`);
  return { compressedLength, scheme, uncompressedLength };
}

/**
 * The chunk's bytes from its header and stored data (in one piece, or in the pieces it arrived in);
 * their length is checked against the header. With `into` (its uncompressed length), they are
 * written there and it is returned.
 */
export function decodeChunkData(header: ChunkHeader, data: Buffer | readonly Buffer[], into?: Buffer): Buffer {
  const pieces = Buffer.isBuffer(data) ? [data] : data;
  const stored = pieces.reduce((n, b) => n + b.length, 0);
  if (stored !== header.compressedLength) throw new XetDataError('chunk-truncated', `a chunk has ${stored} of its ${header.compressedLength} bytes`);
  const length = header.uncompressedLength;
  // A caller's mistake, not the data's: no path may write past `into` or leave its end unwritten.
  if (into && into.length !== length) throw new RangeError(`decodeChunkData: a ${length}-byte chunk into ${into.length} bytes`);
  const w = chunkWasm();
  if (header.scheme !== 0 && w && stored <= w.frame.length && length <= w.groups.length) {
    // Copying the frame in is also what puts together a chunk split across socket reads.
    for (let at = 0, i = 0; i < pieces.length; at += (pieces[i] as Buffer).length, i++) w.frame.set(pieces[i] as Buffer, at);
    // Scheme 1 decodes into the groups region (its spill lands in the words', unread); scheme 2
    // into the groups, regrouped into the words.
    const dst = header.scheme === 2 ? WORDS_AT : GROUPS_AT;
    decodeChunkAt(w, header, FRAME_AT, dst, GROUPS_AT);
    const out = into ?? Buffer.allocUnsafeSlow(length);
    out.set(w.bytes.subarray(dst, dst + length));
    return out;
  }
  const whole = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, stored);
  if (header.scheme === 0) {
    if (!into) return whole;
    into.set(whole);
    return into;
  }
  const out = header.scheme === 2 ? bg4Input(length) : (into ?? Buffer.allocUnsafeSlow(length));
  lz4Verdict(() => decodeLz4FrameInto(whole, out), length);
  return header.scheme === 2 ? bg4Regroup(out, into) : out;
}

/**
 * A compressed chunk decoded inside the wasm's memory: its stored frame at `src`, its bytes to
 * `dst`, with `scratch` (scheme 2's groups) elsewhere. Each output takes its length and
 * WRITE_SLACK more; regions must not overlap. The typed error when the frame does not decode.
 */
export function decodeChunkAt(w: WasmCode, header: ChunkHeader, src: number, dst: number, scratch: number): void {
  const length = header.uncompressedLength;
  if (header.scheme === 1) return lz4Verdict(() => decodeLz4FrameAt(w, src, header.compressedLength, dst, length), length);
  if (header.scheme !== 2) throw new RangeError(`decodeChunkAt: scheme ${header.scheme} is not compressed`);
  lz4Verdict(() => decodeLz4FrameAt(w, src, header.compressedLength, scratch, length), length);
  regroupAt(w, scratch, dst, length);
}

/** A frame decoded, or the typed error: it does not decompress, or not to the header's length. */
function lz4Verdict(decode: () => boolean, length: number): void {
  let fits: boolean;
  try {
    fits = decode();
  } catch (error) {
    throw new XetDataError('chunk-size', `a chunk does not decompress (${(error as Error).message.slice(0, 200)})`);
  }
  if (!fits) throw new XetDataError('chunk-size', `a chunk does not decompress to the ${length} bytes its header says`);
}

/** A chunk as it came off the wire, not yet decoded. */
export interface FramedChunk {
  header: ChunkHeader;
  /** Its stored data, as views of the buffers pushed, in order. */
  stored: Buffer[];
  /** Serialized size (header + stored data): where the next chunk starts. */
  bytes: number;
  /** Its stored views hold read slabs (read-slabs.ts) until releaseFramed: whoever takes the chunk gives them back. */
  lent?: boolean;
}

/** Gives back the read slabs under a framed chunk's stored views, once its bytes were copied or written (again: nothing). */
export function releaseFramed(f: FramedChunk): void {
  if (!f.lent) return;
  f.lent = false;
  for (const v of f.stored) dropRead(v);
}

export interface DecodedChunk {
  /** The chunk's bytes in order: a stored (scheme 0) chunk as views of the buffers pushed, not copied. */
  parts: Buffer[];
  /** Their total length (the chunk's uncompressed length). */
  length: number;
  /** Serialized size (header + stored data): where the next chunk starts. */
  bytes: number;
  /**
   * For a chunk decoded into an arena (decode-arena.ts): gives its bytes back once it is written or
   * dropped (its parts must not be read after). Calling it again does nothing.
   */
  release?: () => void;
}

/**
 * A framed chunk's bytes on this thread: a stored one as the views it arrived in (released with the
 * chunk), a compressed one decoded (its views given back at once).
 */
export function decodeFramed(f: FramedChunk): DecodedChunk {
  const { header, stored, bytes } = f;
  const length = header.uncompressedLength;
  if (header.scheme === 0) return f.lent ? { parts: stored, length, bytes, release: () => releaseFramed(f) } : { parts: stored, length, bytes };
  try {
    return { parts: [decodeChunkData(header, stored)], length, bytes };
  } finally {
    releaseFramed(f);
  }
}

/**
 * Cuts a byte stream into chunks as it arrives: `push` returns every chunk completed so far and
 * keeps at most one partial chunk (≤ 256 KiB + header), so memory is bounded whatever the body's
 * size. Chunks hold views of the buffers pushed: a caller must not reuse a buffer it pushed. Views
 * of lent read slabs are held while the framer keeps them and for each chunk's stored bytes, which
 * releaseFramed gives back.
 */
export class ChunkFramer {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #header: ChunkHeader | null = null;
  /** Whether the views the last #take returned hold lent read slabs. */
  #lent = false;
  /** Bytes consumed by whole chunks: a resume starts here. */
  consumed = 0;

  push(buf: Buffer): FramedChunk[] {
    holdRead(buf);
    this.#pending.push(buf);
    this.#pendingBytes += buf.length;
    const out: FramedChunk[] = [];
    try {
      this.#frame(out);
    } catch (error) {
      // Chunks cut before a header that does not parse go nowhere: their read slabs go back.
      out.forEach(releaseFramed);
      throw error;
    }
    return out;
  }

  #frame(out: FramedChunk[]): void {
    for (;;) {
      if (!this.#header) {
        if (this.#pendingBytes < CHUNK_HEADER_BYTES) break;
        const parts = this.#take(CHUNK_HEADER_BYTES);
        try {
          this.#header = parseChunkHeader(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, CHUNK_HEADER_BYTES));
        } finally {
          for (const p of parts) dropRead(p);
        }
      }
      const header = this.#header;
      const need = header.compressedLength;
      if (this.#pendingBytes < need) break;
      // Stored bytes pass through as the views they arrived in (most of a download's bytes):
      // assembling each ~64 KiB chunk from two socket buffers was a copy of every byte.
      const stored = this.#take(need);
      out.push({ header, stored, bytes: CHUNK_HEADER_BYTES + need, lent: this.#lent });
      this.#header = null;
      this.consumed += CHUNK_HEADER_BYTES + need;
    }
  }

  /** The body is over: anything left is a chunk cut short. */
  end(): void {
    if (this.#pendingBytes > 0 || this.#header) throw new XetDataError('chunk-truncated', 'the body ended inside a chunk');
  }

  /** Gives back the read slabs of a partial chunk left when the answer is abandoned. */
  release(): void {
    for (const b of this.#pending) dropRead(b);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#header = null;
  }

  /** The next n pending bytes as views of the buffers they arrived in, each held for the caller (who drops it). */
  #take(n: number): Buffer[] {
    this.#pendingBytes -= n;
    this.#lent = false;
    const parts: Buffer[] = [];
    for (let at = 0; at < n;) {
      const b = this.#pending[0] as Buffer;
      const k = Math.min(n - at, b.length);
      const part = k === b.length ? b : b.subarray(0, k);
      // Held before the framer lets go of the piece below: a slab at no reference is freed.
      this.#lent = holdRead(part) || this.#lent;
      parts.push(part);
      at += k;
      if (k < b.length) this.#pending[0] = b.subarray(k);
      else {
        this.#pending.shift();
        dropRead(b);
      }
    }
    return parts;
  }
}
