/**
 * A batch of compressed Xet chunks as it crosses to a decode worker and back (decode-pool.ts): the
 * stored bytes copied into one transferable buffer with a header triple per chunk, decoded into
 * one buffer at 8-byte-aligned offsets (bg4Regroup's JS path writes whole 4-byte words), each chunk's
 * hash beside it. Pure functions on both sides, so the inline path and the tests run the very same
 * code as the worker.
 */
import { decodeChunkData, type ChunkHeader, type DecodedChunk, type FramedChunk, type Scheme } from './chunk-format';
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

export interface DecodeRequest extends PackedBatch {
  id: number;
}

export type DecodeReply = { id: number; out: ArrayBuffer; hashes: ArrayBuffer | null } | { id: number; error: { problem: XetProblem | null; message: string } };

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

/** The frames' stored bytes copied into one buffer that can be transferred (socket buffers cannot). */
export function packBatch(frames: readonly FramedChunk[]): PackedBatch {
  const headers = new Uint32Array(frames.length * 3);
  let size = 0;
  frames.forEach((f, i) => {
    headers.set([f.header.compressedLength, f.header.scheme, f.header.uncompressedLength], 3 * i);
    size += f.header.compressedLength;
  });
  // Its own buffer (to be moved to a worker), not zero-filled: every byte is written below.
  const view = Buffer.allocUnsafeSlow(size);
  const data = view.buffer as ArrayBuffer;
  let at = 0;
  for (const f of frames)
    for (const p of f.stored) {
      view.set(p, at);
      at += p.length;
    }
  return { data, headers };
}

/** Decodes a packed batch (the worker's work): the output buffer, and the chunk hashes when `hash` computes them. */
export function decodePacked(batch: PackedBatch, hash: ((chunk: Uint8Array) => Uint8Array) | null): { out: ArrayBuffer; hashes: ArrayBuffer | null } {
  const { offsets, total } = decodedOffsets(batch.headers);
  const out = Buffer.allocUnsafeSlow(total);
  const hashes = hash ? new Uint8Array(offsets.length * HASH_BYTES) : null;
  let at = 0;
  offsets.forEach((offset, i) => {
    const header = headerAt(batch.headers, i);
    const into = out.subarray(offset, offset + header.uncompressedLength);
    decodeChunkData(header, Buffer.from(batch.data, at, header.compressedLength), into);
    at += header.compressedLength;
    hashes?.set((hash as (chunk: Uint8Array) => Uint8Array)(into), i * HASH_BYTES);
  });
  return { out: out.buffer as ArrayBuffer, hashes: hashes ? (hashes.buffer as ArrayBuffer) : null };
}

/** The decoded chunks of a batch, as views of its output, in the frames' order. */
export function unpackDecoded(frames: readonly FramedChunk[], headers: Uint32Array, out: ArrayBuffer, hashes: ArrayBuffer | null): HashedChunk[] {
  const { offsets, total } = decodedOffsets(headers);
  if (out.byteLength !== total || (hashes && hashes.byteLength !== frames.length * HASH_BYTES))
    throw new Error(`a decoded batch came back with ${out.byteLength} bytes where ${total} were expected`);
  return frames.map((f, i) => ({
    parts: [Buffer.from(out, offsets[i] as number, f.header.uncompressedLength)],
    length: f.header.uncompressedLength,
    bytes: f.bytes,
    hash: hashes ? new Uint8Array(hashes, i * HASH_BYTES, HASH_BYTES) : null,
  }));
}

/** A worker's error, as it crosses back: a XetDataError keeps its kind. */
export function errorReply(id: number, error: unknown): DecodeReply {
  const problem = error instanceof XetDataError ? error.problem : null;
  return { id, error: { problem, message: error instanceof Error ? error.message : String(error) } };
}
