/**
 * Reading serialized xorbs as the CAS receives them (xet-core xorb_object): chunks back to back, each
 * an 8-byte header then its stored data, and optionally xet-core's footer (it starts with the ident
 * "XETBLOB"; @huggingface/hub sends none). Each chunk is decoded (none, LZ4 frame, BG4 + LZ4 frame)
 * and hashed by the real chunker: a chunk that is not one content-defined chunk of its bytes, or a
 * xorb whose Merkle hash is not the one it was posted under, is refused. Independent of the app's own
 * decoder (src-main/xet), so the fake catches the client's mistakes instead of sharing them.
 */
import { getChunks, hashToHex, xorbHash, type Chunk } from '@huggingface/xetchunk-wasm';
import { decompressFrameSync } from 'lz4-napi';
import { bg4GroupSizes, CHUNK_HEADER_BYTES, MAX_XORB_BYTES, MAX_XORB_CHUNKS, readChunkHeader, type Scheme } from './xorbs';

const FOOTER_IDENT = Buffer.from('XETBLOB');
const MAX_CHUNK = 128 << 10;

export class XorbFormatError extends Error {}

export interface ParsedChunk {
  hash: Uint8Array;
  length: number;
  scheme: Scheme;
  offset: number;
  bytes: number;
}

/** The inverse of xet-core's bg4_split: group g holds bytes g, g+4, g+8… */
export function bg4Join(grouped: Uint8Array): Buffer {
  const sizes = bg4GroupSizes(grouped.length);
  const out = Buffer.allocUnsafe(grouped.length);
  let base = 0;
  for (const [g, size] of sizes.entries()) {
    for (let i = 0; i < size; i++) out[4 * i + g] = grouped[base + i] as number;
    base += size;
  }
  return out;
}

/** One serialized chunk (header + data) at `at`: its bytes and where the next one starts. */
export function decodeChunkAt(buf: Buffer, at: number): { data: Buffer; scheme: Scheme; bytes: number } {
  if (buf.length - at < CHUNK_HEADER_BYTES) throw new XorbFormatError(`the xorb ends inside a chunk header at ${at}`);
  const { version, compressed: stored, scheme, uncompressed: length } = readChunkHeader(buf, at);
  if (version !== 0) throw new XorbFormatError(`chunk header version ${version} at ${at}`);
  if (scheme !== 0 && scheme !== 1 && scheme !== 2) throw new XorbFormatError(`unknown compression scheme ${scheme} at ${at}`);
  if (length === 0 || length > MAX_CHUNK || stored > 2 * MAX_CHUNK) throw new XorbFormatError(`impossible chunk lengths at ${at}`);
  const start = at + CHUNK_HEADER_BYTES;
  if (buf.length - start < stored) throw new XorbFormatError(`the xorb ends inside a chunk at ${at}`);
  const raw = buf.subarray(start, start + stored);
  let data: Buffer;
  try {
    data = scheme === 0 ? raw : scheme === 1 ? decompressFrameSync(raw) : bg4Join(decompressFrameSync(raw));
  } catch (e) {
    throw new XorbFormatError(`the chunk at ${at} does not decompress: ${(e as Error).message}`);
  }
  if (data.length !== length) throw new XorbFormatError(`the chunk at ${at} is ${data.length} bytes where its header says ${length}`);
  return { data, scheme: scheme as Scheme, bytes: CHUNK_HEADER_BYTES + stored };
}

/** The chunk hash of one chunk's bytes, by the real chunker (which must find no boundary inside it). */
function hashOfChunk(data: Buffer, at: number): Uint8Array {
  const found = getChunks(data);
  if (found.length !== 1 || (found[0] as Chunk).length !== data.length)
    throw new XorbFormatError(`the chunk at ${at} is not one content-defined chunk (${found.length} boundaries inside)`);
  return (found[0] as Chunk).hash;
}

/** Parses and checks a posted xorb; returns its chunks and the length of the chunk part (footer excluded). */
export function parseXorb(buf: Buffer, expectedHash: string): { chunks: ParsedChunk[]; size: number } {
  if (buf.length > MAX_XORB_BYTES + (1 << 20)) throw new XorbFormatError(`the xorb is ${buf.length} bytes (at most 64 MiB)`);
  const chunks: ParsedChunk[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at >= FOOTER_IDENT.length && buf.subarray(at, at + FOOTER_IDENT.length).equals(FOOTER_IDENT)) break;
    if (chunks.length >= MAX_XORB_CHUNKS) throw new XorbFormatError(`more than ${MAX_XORB_CHUNKS} chunks`);
    const { data, scheme, bytes } = decodeChunkAt(buf, at);
    chunks.push({ hash: hashOfChunk(data, at), length: data.length, scheme, offset: at, bytes });
    at += bytes;
  }
  if (chunks.length === 0) throw new XorbFormatError('the xorb holds no chunk');
  const hash = hashToHex(xorbHash(chunks));
  if (hash !== expectedHash) throw new XorbFormatError(`the xorb's chunks hash to ${hash}, not ${expectedHash}`);
  return { chunks, size: at };
}
