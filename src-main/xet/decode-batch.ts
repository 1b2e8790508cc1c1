/**
 * A batch of compressed Xet chunks as it crosses to a decode worker and back (decode-pool.ts): the
 * stored bytes copied into one buffer (the shared arena, or one to transfer) with a header triple
 * per chunk, decoded into one span at 8-byte-aligned offsets (bg4Regroup's JS path writes whole
 * 4-byte words), each chunk's hash beside it. In the arena, the worker's wasm decodes the batch
 * where it lies (its memory is the arena), so each span leaves room for the wasm's spill and scheme
 * 2's groups. Pure functions on both sides, so the inline path and the tests run the very same
 * code as the worker.
 */
import { WRITE_SLACK, type SharedMemory, type WasmCode } from './chunk-decode-wasm';
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

function headerAt(headers: Uint32Array, i: number): ChunkHeader {
  return { compressedLength: headers[3 * i] as number, scheme: headers[3 * i + 1] as Scheme, uncompressedLength: headers[3 * i + 2] as number };
}

/** Where each chunk's decoded bytes start in the batch's output, and the output's size. */
function decodedOffsets(headers: Uint32Array): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (let i = 0; i < headers.length / 3; i++) {
    offsets.push(total);
    total = align8(total + (headers[3 * i + 2] as number));
  }
  return { offsets, total };
}

/** Per chunk: compressed length, scheme, uncompressed length. */
export function batchHeaders(frames: readonly FramedChunk[]): Uint32Array {
  const headers = new Uint32Array(frames.length * 3);
  frames.forEach((f, i) => headers.set([f.header.compressedLength, f.header.scheme, f.header.uncompressedLength], 3 * i));
  return headers;
}

/** Stored bytes of a batch (its input's size). */
export const storedSize = (headers: Uint32Array): number => headers.reduce((n, v, i) => (i % 3 === 0 ? n + v : n), 0);

/** Bytes a batch decodes to, each chunk 8-byte aligned (its output's size). */
export const decodedSize = (headers: Uint32Array): number => decodedOffsets(headers).total;

/** Where scheme 2's groups go in a batch's input span: past its stored bytes. */
export const scratchOffset = (inLen: number): number => align8(inLen);

/** A batch's input span in the arena: its stored bytes, then room for the largest chunk's groups and the spill. */
export function inputSpanSize(headers: Uint32Array): number {
  let largest = 0;
  for (let i = 0; i < headers.length / 3; i++) if (headers[3 * i + 1] === 2) largest = Math.max(largest, headers[3 * i + 2] as number);
  return scratchOffset(storedSize(headers)) + (largest ? largest + WRITE_SLACK : 0);
}

/** A batch's output span in the arena: its decoded chunks and the last one's spill. */
export const outputSpanSize = (headers: Uint32Array): number => decodedSize(headers) + WRITE_SLACK;

/** The frames' stored bytes, end to end, into `view` (storedSize long). */
export function copyStored(frames: readonly FramedChunk[], view: Uint8Array): void {
  let at = 0;
  for (const f of frames)
    for (const p of f.stored) {
      view.set(p, at);
      at += p.length;
    }
}

/** The frames' stored bytes copied into one buffer that can be transferred (socket buffers cannot). */
export function packBatch(frames: readonly FramedChunk[]): PackedBatch {
  const headers = batchHeaders(frames);
  // Its own buffer (to be moved to a worker), not zero-filled: every byte is written below.
  const view = Buffer.allocUnsafeSlow(storedSize(headers));
  copyStored(frames, view);
  return { data: view.buffer as ArrayBuffer, headers };
}

/**
 * Decodes a batch's stored bytes (the worker's work) into `out` (decodedSize long) at its aligned
 * offsets; the chunk hashes when `hash` computes them.
 */
export function decodeInto(input: Buffer, headers: Uint32Array, out: Buffer, hash: ((chunk: Uint8Array) => Uint8Array) | null): ArrayBuffer | null {
  const { offsets, total } = decodedOffsets(headers);
  if (out.length < total || input.length < storedSize(headers)) throw new Error('a decode batch does not fit the buffers given');
  const hashes = hash ? new Uint8Array(offsets.length * HASH_BYTES) : null;
  let at = 0;
  offsets.forEach((offset, i) => {
    const header = headerAt(headers, i);
    const into = out.subarray(offset, offset + header.uncompressedLength);
    decodeChunkData(header, input.subarray(at, at + header.compressedLength), into);
    at += header.compressedLength;
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
  const inEnd = inAt + inputSpanSize(headers);
  if (inLen !== storedSize(headers) || scratchAt !== inAt + scratchOffset(inLen) || inEnd > w.bytes.length || outAt + total + WRITE_SLACK > w.bytes.length)
    throw new Error('a decode batch does not fit the arena');
  if (outAt < inEnd && inAt < outAt + total + WRITE_SLACK) throw new Error('a decode batch’s input and output overlap');
  const hashes = hash ? new Uint8Array(offsets.length * HASH_BYTES) : null;
  let at = inAt;
  offsets.forEach((offset, i) => {
    const header = headerAt(headers, i);
    const dst = outAt + offset;
    // A later chunk's output is written after this one's spill lands in it.
    if (header.scheme === 0) w.bytes.copyWithin(dst, at, at + header.compressedLength);
    else decodeChunkAt(w, header, at, dst, scratchAt);
    at += header.compressedLength;
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
