/**
 * The fake CAS's storage: files cut into content-defined chunks and packed into xorbs exactly as
 * xet-core does (xet_core_structures/xorb_object): each chunk an 8-byte header (version 0,
 * compressed length u24 LE, scheme, uncompressed length u24 LE) then its data, stored uncompressed
 * (0), as an LZ4 frame (1) or byte-grouped by 4 then LZ4 (2), falling back to 0 when compression
 * does not pay. Chunk, xorb and file hashes come from @huggingface/xetchunk-wasm, the primitives the
 * real JS client uses (they match xet-core's merklehash). A chunk already stored in an earlier xorb
 * is referenced, not stored again (global dedup), so one file may span several xorbs and two files
 * may share one. Xorbs carry no footer: downloads only ever read chunk byte ranges.
 *
 * Uncompressed chunks are read from the file's Content on demand, so a 1 GiB file costs no memory
 * beyond its compressed chunks and the chunk list.
 */
import { createChunker, fileHash, finalize, hashToHex, nextBlock, xorbHash, type Chunk } from '@huggingface/xetchunk-wasm';
import { compressFrameSync } from 'lz4-napi';
import type { Content } from '../content';

export type Scheme = 0 | 1 | 2;
/** How chunks are stored: the smallest of LZ4 and BG4+LZ4 (xet-core picks by a predictor), or one forced. */
export type CompressionPolicy = 'auto' | 'none' | 'lz4' | 'bg4';

export const CHUNK_HEADER_BYTES = 8;
export const MAX_XORB_BYTES = 64 << 20;
export const MAX_XORB_CHUNKS = 8192;

export interface StoredChunk {
  hash: Uint8Array;
  /** Uncompressed length. */
  length: number;
  scheme: Scheme;
  /** Where the chunk (header + data) starts in its xorb, and its serialized size. */
  offset: number;
  bytes: number;
  /** Header + data. */
  read(): Buffer;
}

export interface Xorb {
  hash: string;
  chunks: StoredChunk[];
  size: number;
  /** The whole xorb, where every chunk of it is held in memory: ranges are served as views of it. */
  body?: Buffer;
}

export interface XetTerm {
  xorb: string;
  /** Chunk indices in the xorb, end-exclusive. */
  start: number;
  end: number;
  unpacked: number;
}

export interface XetFile {
  hash: string;
  size: number;
  terms: XetTerm[];
  chunks: number;
}

/** How many bytes each of xet-core's four byte groups holds for `n` bytes (group g: bytes g, g+4, g+8…). */
export function bg4GroupSizes(n: number): [number, number, number, number] {
  const split = Math.floor(n / 4);
  const rem = n % 4;
  return [split + Math.min(1, rem), split + Math.min(1, Math.max(0, rem - 1)), split + Math.min(1, Math.max(0, rem - 2)), split];
}

/** xet-core's bg4_split_together: byte i of every 4 goes to group i, groups back to back. */
export function bg4Split(data: Uint8Array): Buffer {
  const sizes = bg4GroupSizes(data.length);
  const out = Buffer.allocUnsafe(data.length);
  let base = 0;
  for (const [g, size] of sizes.entries()) {
    for (let i = 0; i < size; i++) out[base + i] = data[4 * i + g] as number;
    base += size;
  }
  return out;
}

/** A chunk header's fields as they stand, unchecked (the reader judges them). */
export interface ChunkHeader {
  version: number;
  compressed: number;
  scheme: number;
  uncompressed: number;
}

/** The 8-byte chunk header: version 0, compressed length u24 LE, scheme, uncompressed length u24 LE. */
export function chunkHeader(scheme: Scheme, compressed: number, uncompressed: number): Buffer {
  const h = Buffer.alloc(CHUNK_HEADER_BYTES);
  h[0] = 0;
  h.writeUIntLE(compressed, 1, 3);
  h[4] = scheme;
  h.writeUIntLE(uncompressed, 5, 3);
  return h;
}

/** Reads back what chunkHeader writes, at `at` (the caller has checked that 8 bytes are there). */
export function readChunkHeader(buf: Buffer, at: number): ChunkHeader {
  return { version: buf[at] as number, compressed: buf.readUIntLE(at + 1, 3), scheme: buf[at + 4] as number, uncompressed: buf.readUIntLE(at + 5, 3) };
}

/** Serializes one chunk as xet-core's serialize_chunk does: the scheme asked for, or none when it does not pay. */
export function encodeChunk(data: Uint8Array, policy: CompressionPolicy): { scheme: Scheme; payload: Buffer | null } {
  if (policy === 'none') return { scheme: 0, payload: null };
  const candidates: { scheme: Scheme; payload: Buffer }[] = [];
  if (policy === 'lz4' || policy === 'auto') candidates.push({ scheme: 1, payload: compressFrameSync(Buffer.from(data.buffer, data.byteOffset, data.length)) });
  if (policy === 'bg4' || policy === 'auto') candidates.push({ scheme: 2, payload: compressFrameSync(bg4Split(data)) });
  const best = candidates.sort((a, b) => a.payload.length - b.payload.length)[0];
  if (!best || best.payload.length >= data.length) return { scheme: 0, payload: null };
  return best;
}

export interface StoreOptions {
  compression?: CompressionPolicy;
  /** Smaller xorbs make multi-xorb files out of small fixtures (default 64 MiB, xet-core's). */
  maxXorbBytes?: number;
}

/** Every xorb and file the CAS holds; files are added once per distinct content. */
export class XorbStore {
  readonly xorbs = new Map<string, Xorb>();
  readonly files = new Map<string, XetFile>();
  /** chunk hash (hex) → where it is stored. */
  readonly #chunkIndex = new Map<string, { xorb: string; index: number }>();
  readonly #opts: Required<StoreOptions>;

  constructor(opts: StoreOptions = {}) {
    this.#opts = { compression: opts.compression ?? 'auto', maxXorbBytes: opts.maxXorbBytes ?? MAX_XORB_BYTES };
  }

  /** A xorb a client uploaded (xet/upload.ts): stored, and its chunks reused by later `add`s. */
  adopt(xorb: Xorb): void {
    this.xorbs.set(xorb.hash, xorb);
    xorb.chunks.forEach((c, index) => {
      const hex = hashToHex(c.hash);
      if (!this.#chunkIndex.has(hex)) this.#chunkIndex.set(hex, { xorb: xorb.hash, index });
    });
  }

  /** Chunks, dedups and stores a file; returns its Xet file hash. */
  add(content: Content): XetFile {
    const chunks = chunkContent(content);
    const hash = hashToHex(fileHash(chunks));
    const known = this.files.get(hash);
    if (known) return known;
    const refs: { xorb: string; index: number; length: number }[] = [];
    let open: { chunks: StoredChunk[]; meta: Chunk[]; size: number; pending: number[]; index: Map<string, number>; held: Buffer[] | null } | null = null;
    const close = () => {
      if (!open) return;
      const xh = hashToHex(xorbHash(open.meta));
      this.xorbs.set(xh, { hash: xh, chunks: open.chunks, size: open.size, ...(open.held ? { body: wholeXorb(open.chunks, open.held) } : {}) });
      open.chunks.forEach((c, index) => this.#chunkIndex.set(hashToHex(c.hash), { xorb: xh, index }));
      for (const r of open.pending) (refs[r] as { xorb: string }).xorb = xh;
      open = null;
    };
    let pos = 0;
    for (const c of chunks) {
      const start = pos;
      pos += c.length;
      const hex = hashToHex(c.hash);
      const inOpen = open?.index.get(hex);
      const stored = this.#chunkIndex.get(hex) ?? (inOpen !== undefined ? { xorb: '', index: inOpen } : undefined);
      if (stored) {
        refs.push({ ...stored, length: c.length });
        if (stored.xorb === '') open?.pending.push(refs.length - 1);
        continue;
      }
      const data = content.read(start, pos);
      const { scheme, payload } = encodeChunk(data, this.#opts.compression);
      const bytes = CHUNK_HEADER_BYTES + (payload?.length ?? c.length);
      if (open && (open.size + bytes > this.#opts.maxXorbBytes || open.chunks.length >= MAX_XORB_CHUNKS)) close();
      open ??= { chunks: [], meta: [], size: 0, pending: [], index: new Map(), held: [] };
      const header = chunkHeader(scheme, payload?.length ?? c.length, c.length);
      const read = payload ? () => Buffer.concat([header, payload]) : () => Buffer.concat([header, content.read(start, start + c.length)]);
      // A chunk read from the content on demand keeps its xorb from being held whole.
      if (!payload) open.held = null;
      else open.held?.push(header, payload);
      open.chunks.push({ hash: c.hash, length: c.length, scheme, offset: open.size, bytes, read });
      open.meta.push(c);
      open.index.set(hex, open.chunks.length - 1);
      open.size += bytes;
      refs.push({ xorb: '', index: open.chunks.length - 1, length: c.length });
      open.pending.push(refs.length - 1);
    }
    close();
    const file: XetFile = { hash, size: content.size, terms: termsOf(refs), chunks: chunks.length };
    this.files.set(hash, file);
    return file;
  }
}

/** Consecutive chunks of one xorb become one term. */
function termsOf(refs: { xorb: string; index: number; length: number }[]): XetTerm[] {
  const terms: XetTerm[] = [];
  for (const r of refs) {
    const last = terms.at(-1);
    if (last && last.xorb === r.xorb && last.end === r.index) {
      last.end += 1;
      last.unpacked += r.length;
    } else terms.push({ xorb: r.xorb, start: r.index, end: r.index + 1, unpacked: r.length });
  }
  return terms;
}

/** Content-defined chunks of a file, streamed 8 MiB at a time through the real chunker. */
export function chunkContent(content: Content): Chunk[] {
  const chunker = createChunker();
  const out: Chunk[] = [];
  const step = 8 << 20;
  for (let pos = 0; pos < content.size; pos += step) out.push(...nextBlock(chunker, content.read(pos, Math.min(content.size, pos + step))));
  const last = finalize(chunker);
  if (last) out.push(last);
  return out;
}

/**
 * A xorb whose chunks are all held, as one buffer, each chunk's read() a view of it. Served from
 * views, a range costs the fake CAS no copy: a copy per range and the collections its garbage
 * caused took ~2.5 s of the fake's CPU per 1 GiB download, on the same two cores as the client
 * being measured (docs/performance.md), where a real CAS costs the client's machine nothing.
 */
function wholeXorb(chunks: StoredChunk[], held: Buffer[]): Buffer {
  const body = Buffer.concat(held);
  for (const c of chunks) c.read = () => body.subarray(c.offset, c.offset + c.bytes);
  return body;
}

/** Bytes [start, end) of a xorb's serialized chunks: a view where the xorb is held whole, else a copy. */
export function readXorb(xorb: Xorb, start: number, end: number): Buffer {
  if (xorb.body) return xorb.body.subarray(start, end);
  const parts: Buffer[] = [];
  for (const c of xorb.chunks) {
    if (c.offset + c.bytes <= start || c.offset >= end) continue;
    const buf = c.read();
    parts.push(buf.subarray(Math.max(0, start - c.offset), Math.min(c.bytes, end - c.offset)));
  }
  return Buffer.concat(parts);
}

/** The byte range [start, end) of chunks [from, to) in a xorb. */
export function chunkBytes(xorb: Xorb, from: number, to: number): { start: number; end: number } {
  const first = xorb.chunks[from];
  const last = xorb.chunks[to - 1];
  if (!first || !last || to <= from) throw new Error(`chunks ${from}..${to} are not in xorb ${xorb.hash}`);
  return { start: first.offset, end: last.offset + last.bytes };
}
