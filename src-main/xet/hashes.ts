/**
 * Xet hashes (docs/hub-protocol.md §3.4; xet-core merklehash): a chunk's hash is blake3 keyed with
 * DATA_KEY over its bytes; a file's hash (X-Xet-Hash) is keyed blake3 over the Merkle root of its
 * chunk hashes. All through @huggingface/xetchunk-wasm, the primitives @huggingface/hub uses: its
 * `hmac(data, key)` is blake3 keyed over any input, which with DATA_KEY is the chunk hash (tested
 * against its own chunker's hashes). Hex is xet's: each 8-byte word reversed.
 */
import { fileHash, hashToHex, hmac } from '@huggingface/xetchunk-wasm';
import { XET_HASH_RE } from '../contract/ids';

/** xet-core data_hash.rs DATA_KEY. */
export const DATA_KEY = new Uint8Array([
  102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28, 157, 228, 33, 16, 155, 235, 43, 88, 180, 208, 176, 75, 147, 173, 242, 41,
]);

export { XET_HASH_RE };

export interface ChunkId {
  hash: Uint8Array;
  length: number;
}

export function chunkHash(data: Uint8Array): Uint8Array {
  return hmac(data, DATA_KEY);
}

/** The Xet file hash of chunks in file order, as hex. */
export function xetFileHash(chunks: ChunkId[]): string {
  return hashToHex(fileHash(chunks));
}
