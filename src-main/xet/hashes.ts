/**
 * Xet hashes (docs/hub-protocol.md §3.4; xet-core merklehash): a chunk's hash is blake3 keyed with
 * DATA_KEY over its bytes; a file's hash (X-Xet-Hash) is keyed blake3 over the Merkle root of its
 * chunk hashes. The reference is @huggingface/xetchunk-wasm, the primitives @huggingface/hub uses:
 * its `hmac(data, key)` is blake3 keyed over any input, which with DATA_KEY is the chunk hash, and
 * every hash here is tested against its own. Hex is xet's: each 8-byte word reversed.
 *
 * Chunk hashes, the bulk of the work (every byte of a Xet download), go through the native blake3
 * crate (@napi-rs/blake-hash) where its binary exists for the platform: ~3.5 GB/s on this project's
 * machines against ~400 MB/s for the wasm, which set the pace of a loopback download
 * (docs/performance.md, Xet downloads). Loaded on first use, so commands that hash nothing never load it.
 */
import { lazyPackage } from '../base/lazy-package';
import { xetchunk } from './packages';
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

interface KeyedBlake3 {
  reset(): void;
  update(input: Uint8Array): unknown;
  digestBuffer(): Buffer;
}
interface NativeBlake3 {
  Blake3Hasher: { newKeyed(key: Buffer): KeyedBlake3 };
}

const blakeHash = lazyPackage<NativeBlake3>('@napi-rs/blake-hash');
let native: NativeBlake3 | null | undefined;
const KEY = Buffer.from(DATA_KEY);
// One keyed hasher, reset between chunks (reset keeps the key): a new one per 64 KiB chunk cost
// about as much as hashing the chunk (~10 µs; 1 GiB: 360 ms against 190). chunkHash is synchronous,
// so no two chunks ever share it at once.
let keyed: KeyedBlake3 | undefined;

function nativeBlake3(): NativeBlake3 | null {
  if (native === undefined) {
    try {
      native = blakeHash();
    } catch {
      // No binary for this platform: the wasm computes the same hash, slower.
      native = null;
    }
  }
  return native;
}

/** Whether chunk hashes run natively (fast enough to hash on the download's own thread). */
export function nativeChunkHashing(): boolean {
  return nativeBlake3() !== null;
}

/** The native chunk hash, or null where only the wasm exists (slower than a decode worker's decoding: the download hashes then). */
export function nativeChunkHash(): ((data: Uint8Array) => Uint8Array) | null {
  return nativeChunkHashing() ? chunkHash : null;
}

/** A chunk's hash, from its bytes in one piece or in order in several. */
export function chunkHash(data: Uint8Array | readonly Uint8Array[]): Uint8Array {
  const parts = data instanceof Uint8Array ? [data] : data;
  const n = nativeBlake3();
  if (!n) return xetchunk().hmac(parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts), DATA_KEY);
  const h = (keyed ??= n.Blake3Hasher.newKeyed(KEY));
  h.reset();
  for (const p of parts) h.update(p);
  const out = h.digestBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The wasm chunk hash, for tests that check the two agree. */
export function wasmChunkHash(data: Uint8Array): Uint8Array {
  return xetchunk().hmac(data, DATA_KEY);
}

/** xet-core merklehash: the key of an internal node's hash (BLAKE3_NODE_KEY). */
const NODE_KEY = Buffer.from([
  1, 126, 197, 199, 165, 71, 41, 150, 253, 148, 102, 102, 180, 138, 2, 230, 93, 221, 83, 111, 55, 199, 109, 210, 248, 99, 82, 230, 74, 83, 113, 63,
]);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Xet's hex of a hash: each 8-byte word printed as a little-endian integer. */
export function xetHex(hash: Uint8Array): string {
  let out = '';
  for (let w = 0; w < 32; w += 8) for (let i = w + 7; i >= w; i--) out += HEX[hash[i] as number];
  return out;
}

/**
 * The Xet file hash of chunks in file order, as hex. With the native blake3 the Merkle tree is
 * built here (xet-core merklehash, as xetchunk-wasm's xorbHash and fileHash do); the package's is
 * pure-JS blake3, run cold once per download: ~35 ms of a 64 MiB download's main thread, plus
 * loading the package (~18 module files) for nothing else. Checked against it in the tests.
 */
export function xetFileHash(chunks: ChunkId[]): string {
  const n = nativeBlake3();
  if (!n) {
    const { fileHash, hashToHex } = xetchunk();
    return hashToHex(fileHash(chunks));
  }
  if (chunks.length === 0) return '0'.repeat(64);
  const node = n.Blake3Hasher.newKeyed(NODE_KEY);
  let level = chunks;
  while (level.length > 1) {
    const next: ChunkId[] = [];
    let from = 0;
    let children = 0;
    for (let i = 0; i < level.length; i++) {
      // A node ends at the last entry, at 8 children, or (from 3 children) where an entry's hash is a natural cut.
      if (i === level.length - 1 || children === 8 || (children >= 2 && (((level[i] as ChunkId).hash[24] as number) & 3) === 0)) {
        let text = '';
        let length = 0;
        for (const c of level.slice(from, i + 1)) {
          text += `${xetHex(c.hash)} : ${c.length}\n`;
          length += c.length;
        }
        node.reset();
        node.update(Buffer.from(text, 'latin1'));
        next.push({ hash: new Uint8Array(node.digestBuffer()), length });
        from = i + 1;
        children = 0;
      } else children++;
    }
    level = next;
  }
  const file = n.Blake3Hasher.newKeyed(Buffer.alloc(32));
  file.update((level[0] as ChunkId).hash);
  return xetHex(file.digestBuffer());
}
