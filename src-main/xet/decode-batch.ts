/**
 * A batch of compressed Xet chunks as it crosses to a decode worker and back (decode-pool.ts): the
 * stored bytes copied into one buffer (the shared arena, or one to transfer) with four header
 * fields per chunk, decoded into one span at 8-byte-aligned offsets (bg4Regroup's JS path writes
 * whole 4-byte words), each chunk's hash beside it. In the arena, the worker's wasm decodes the
 * batch where it lies (its memory is the arena), so each span leaves room for the wasm's spill and
 * scheme 2's groups. Pure functions on both sides, so the inline path and the tests run the very
 * same code as the worker.
 */
import { READ_SLACK, WRITE_SLACK, type SharedMemory, type WasmCode } from './chunk-decode-wasm';
import { decodeChunkAt, decodeChunkData, type ChunkHeader, type DecodedChunk, type FramedChunk, type Scheme } from './chunk-format';
import { XetDataError, type XetProblem } from './errors';

/** A decoded chunk with its chunk hash when the decoder computed it. */
export interface HashedChunk extends DecodedChunk {
  hash: Uint8Array | null;
}

export interface PackedBatch {
  /** The chunks' stored bytes end to end. */
  data: ArrayBuffer;
  /** Per chunk: compressed length, scheme, uncompressed length. */
  headers: Uint32Array;
}

/**
 * A batch in the shared arena: its stored bytes at `inAt` (a span of inputSpanSize), scheme 2's
 * groups decoded at `scratchAt` inside that span, its chunks decoded at `outAt` (outputSpanSize).
 */
export interface ArenaBatch {
  headers: Uint32Array;
  inAt: number;
  inLen: number;
  scratchAt: number;
  outAt: number;
}

/** A batch to decode: moved over in `data`, or already in the shared arena. */
export type DecodeRequest = (PackedBatch | ArenaBatch) & { id: number };

/** The arena as the pool sends it to a worker: a shared WebAssembly memory, or a SharedArrayBuffer; null to let it go. */
export interface ArenaMessage {
  arena: SharedMemory | SharedArrayBuffer | null;
}

/**
 * The decoded bytes (null when they are in the arena), the chunk hashes, and whether the wasm
 * decoded the batch where the arena holds it; or why the batch failed.
 */
export type DecodeReply =
  | { id: number; out: ArrayBuffer | null; hashes: ArrayBuffer | null; inPlace: boolean }
  | { id: number; error: { problem: XetProblem | null; message: string } };

const HASH_BYTES = 32;
const align8 = (n: number) => (n + 7) & ~7;

/** Per chunk in a batch's headers: compressed length, scheme, uncompressed length, gap before its stored bytes. */
const FIELDS = 4;

const chunkCount = (headers: Uint32Array): number => headers.length / FIELDS;

function headerAt(headers: Uint32Array, i: number): ChunkHeader {
  const at = FIELDS * i;
  return { compressedLength: headers[at] as number, scheme: headers[at + 1] as Scheme, uncompressedLength: headers[at + 2] as number };
}

/** Where each chunk's decoded bytes start in the batch's output, and the output's size. */
function decodedOffsets(headers: Uint32Array): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (let i = 0; i < chunkCount(headers); i++) {
    offsets.push(total);
    total = align8(total + (headers[FIELDS * i + 2] as number));
  }
  return { offsets, total };
}

/**
 * The gap (0–7 bytes) to leave before a chunk's stored bytes, copied from `pieces` to `at` of an
 * 8-byte-aligned input, so that most of them keep their address mod 8. V8 copies into and out of
 * shared memory a word at a time when source and target agree mod 8, and a byte at a time, ~3.5x
 * slower, when they do not (docs/performance.md, bench/shared-copy.ts): the residue that holds the
 * most bytes wins (for a chunk that came in two socket reads, its larger piece's).
 */
function alignGap(pieces: readonly Buffer[], at: number): number {
  const bytes = [0, 0, 0, 0, 0, 0, 0, 0];
  let before = 0;
  for (const p of pieces) {
    // ArrayBuffers start 8-byte aligned, so the offset mod 8 is the address's.
    const residue = (p.byteOffset - before) & 7;
    bytes[residue] = (bytes[residue] as number) + p.length;
    before += p.length;
  }
  return (bytes.indexOf(Math.max(...bytes)) - at) & 7;
}

/** A batch's headers: per chunk its header's three fields, and the gap left before its stored bytes in the input. */
export function batchHeaders(frames: readonly FramedChunk[]): Uint32Array {
  const headers = new Uint32Array(frames.length * FIELDS);
  let at = 0;
  frames.forEach((f, i) => {
    const gap = alignGap(f.stored, at);
    headers.set([f.header.compressedLength, f.header.scheme, f.header.uncompressedLength, gap], FIELDS * i);
    at += gap + f.header.compressedLength;
  });
  return headers;
}

/** Where each chunk's stored bytes start in the batch's input, and the input's size (gaps included). */
export function storedOffsets(headers: Uint32Array): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (let i = 0; i < chunkCount(headers); i++) {
    total += headers[FIELDS * i + 3] as number;
    offsets.push(total);
    total += headers[FIELDS * i] as number;
  }
  return { offsets, total };
}

/** A batch's input size: its chunks' stored bytes and the gaps between them. */
export const storedSize = (headers: Uint32Array): number => storedOffsets(headers).total;

/** Bytes a batch decodes to, each chunk 8-byte aligned (its output's size). */
export const decodedSize = (headers: Uint32Array): number => decodedOffsets(headers).total;

/** Where scheme 2's groups go in a batch's input span: past its stored bytes. */
export const scratchOffset = (inLen: number): number => align8(inLen);

/** A batch's input span in the arena: its stored bytes, then room for the largest chunk's groups and the spill. */
export function inputSpanSize(headers: Uint32Array): number {
  let largest = 0;
  for (let i = 0; i < chunkCount(headers); i++) if (headers[FIELDS * i + 1] === 2) largest = Math.max(largest, headers[FIELDS * i + 2] as number);
  return scratchOffset(storedSize(headers)) + (largest ? largest + WRITE_SLACK : 0);
}

/** A batch's output span in the arena: its decoded chunks and the last one's spill. */
export const outputSpanSize = (headers: Uint32Array): number => decodedSize(headers) + WRITE_SLACK;

/** The frames' stored bytes into `view` (storedSize long) where `headers` (batchHeaders) put them. */
export function copyStored(frames: readonly FramedChunk[], headers: Uint32Array, view: Uint8Array): void {
  const { offsets } = storedOffsets(headers);
  frames.forEach((f, i) => {
    let at = offsets[i] as number;
    for (const p of f.stored) {
      view.set(p, at);
      at += p.length;
    }
  });
}

/** The frames' stored bytes copied into one buffer that can be transferred (socket buffers cannot). */
export function packBatch(frames: readonly FramedChunk[]): PackedBatch {
  const headers = batchHeaders(frames);
  // Its own buffer (to be moved to a worker), not zero-filled: every byte but the gaps, which
  // nothing reads, is written below.
  const view = Buffer.allocUnsafeSlow(storedSize(headers));
  copyStored(frames, headers, view);
  return { data: view.buffer as ArrayBuffer, headers };
}

/**
 * Decodes a batch's stored bytes (the worker's work) into `out` (decodedSize long) at its aligned
 * offsets; the chunk hashes when `hash` computes them.
 */
export function decodeInto(input: Buffer, headers: Uint32Array, out: Buffer, hash: ((chunk: Uint8Array) => Uint8Array) | null): ArrayBuffer | null {
  const { offsets, total } = decodedOffsets(headers);
  const stored = storedOffsets(headers);
  if (out.length < total || input.length < stored.total) throw new Error('a decode batch does not fit the buffers given');
  const hashes = hash ? new Uint8Array(offsets.length * HASH_BYTES) : null;
  offsets.forEach((offset, i) => {
    const header = headerAt(headers, i);
    const into = out.subarray(offset, offset + header.uncompressedLength);
    const at = stored.offsets[i] as number;
    decodeChunkData(header, input.subarray(at, at + header.compressedLength), into);
    hashes?.set((hash as (chunk: Uint8Array) => Uint8Array)(into), i * HASH_BYTES);
  });
  return hashes ? (hashes.buffer as ArrayBuffer) : null;
}

/**
 * Decodes a batch where the shared arena holds it, the arena being `w`'s memory (the worker's work
 * when its wasm runs there): nothing is copied into or out of the wasm. The chunk hashes when
 * `hash` computes them.
 */
export function decodeInArena(w: WasmCode, batch: ArenaBatch, hash: ((chunk: Uint8Array) => Uint8Array) | null): ArrayBuffer | null {
  const { headers, inAt, inLen, scratchAt, outAt } = batch;
  const { offsets, total } = decodedOffsets(headers);
  const stored = storedOffsets(headers);
  const inEnd = inAt + inputSpanSize(headers);
  // The block loop's loads may read past the last frame: they must stay in the memory.
  const readEnd = Math.max(inEnd, inAt + inLen + READ_SLACK);
  if (inLen !== stored.total || scratchAt !== inAt + scratchOffset(inLen) || readEnd > w.bytes.length || outAt + total + WRITE_SLACK > w.bytes.length)
    throw new Error('a decode batch does not fit the arena');
  if (outAt < inEnd && inAt < outAt + total + WRITE_SLACK) throw new Error('a decode batch’s input and output overlap');
  const hashes = hash ? new Uint8Array(offsets.length * HASH_BYTES) : null;
  offsets.forEach((offset, i) => {
    const header = headerAt(headers, i);
    const dst = outAt + offset;
    const at = inAt + (stored.offsets[i] as number);
    // A later chunk's output is written after this one's spill lands in it.
    if (header.scheme === 0) w.bytes.copyWithin(dst, at, at + header.compressedLength);
    else decodeChunkAt(w, header, at, dst, scratchAt);
    hashes?.set((hash as (chunk: Uint8Array) => Uint8Array)(w.bytes.subarray(dst, dst + header.uncompressedLength)), i * HASH_BYTES);
  });
  return hashes ? (hashes.buffer as ArrayBuffer) : null;
}

/** Decodes a packed batch into a buffer of its own: the output buffer, and the chunk hashes when `hash` computes them. */
export function decodePacked(batch: PackedBatch, hash: ((chunk: Uint8Array) => Uint8Array) | null): { out: ArrayBuffer; hashes: ArrayBuffer | null } {
  const out = Buffer.allocUnsafeSlow(decodedSize(batch.headers));
  const hashes = decodeInto(Buffer.from(batch.data), batch.headers, out, hash);
  return { out: out.buffer as ArrayBuffer, hashes };
}

/**
 * The decoded chunks of a batch, as views of its output, in the frames' order: a buffer of their
 * own, or the span at `arena.at` of the shared arena, given back through `arena.release` once every
 * chunk's `release` was called.
 */
export function unpackDecoded(
  frames: readonly FramedChunk[],
  headers: Uint32Array,
  out: ArrayBufferLike,
  hashes: ArrayBuffer | null,
  arena?: { at: number; release: () => void },
): HashedChunk[] {
  const { offsets, total } = decodedOffsets(headers);
  const base = arena?.at ?? 0;
  if ((arena ? base + total > out.byteLength : out.byteLength !== total) || (hashes && hashes.byteLength !== frames.length * HASH_BYTES))
    throw new Error(`a decoded batch came back with ${out.byteLength} bytes where ${total} were expected`);
  let held = frames.length;
  if (arena && held === 0) arena.release();
  return frames.map((f, i) => {
    let released = false;
    const release = arena
      ? () => {
          if (released) return;
          released = true;
          if (--held === 0) arena.release();
        }
      : undefined;
    return {
      parts: [Buffer.from(out, base + (offsets[i] as number), f.header.uncompressedLength)],
      length: f.header.uncompressedLength,
      bytes: f.bytes,
      hash: hashes ? new Uint8Array(hashes, i * HASH_BYTES, HASH_BYTES) : null,
      ...(release ? { release } : {}),
    };
  });
}

/** A worker's error, as it crosses back: a XetDataError keeps its kind. */
export function errorReply(id: number, error: unknown): DecodeReply {
  const problem = error instanceof XetDataError ? error.problem : null;
  return { id, error: { problem, message: error instanceof Error ? error.message : String(error) } };
}
