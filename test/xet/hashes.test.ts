/** Xet hashes on bytes alone: the chunk hash and file hash match the real chunker's, and the fake CAS's. */
import { fileHash, getChunks, hashToHex } from '@huggingface/xetchunk-wasm';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { chunkHash, nativeChunkHashing, wasmChunkHash, xetFileHash, xetHex } from '../../src-main/xet/hashes';
import { mixedXetContent } from '../fakehub/xet/fixtures';
import { XorbStore } from '../fakehub/xet/xorbs';

describe('Xet hashes', () => {
  const content = mixedXetContent();
  const bytes = content.read(0, content.size);
  const chunks = getChunks(bytes);

  it('hashes a chunk as the real chunker does (blake3 keyed with DATA_KEY)', () => {
    let pos = 0;
    for (const c of chunks) {
      expect(hashToHex(chunkHash(bytes.subarray(pos, pos + c.length)))).toBe(hashToHex(c.hash));
      pos += c.length;
    }
    expect(pos).toBe(bytes.length);
  });

  it('hashes chunks natively here, as the wasm does, at every length around blake3 block and chunk edges', () => {
    // The native binary is an optional dependency: a platform without it falls back to the wasm.
    expect(nativeChunkHashing()).toBe(true);
    for (const n of [1, 63, 64, 65, 1023, 1024, 1025, 2048, 8191, 65_536, 100_003, 131_072]) {
      const data = randomBytes(n);
      expect(hashToHex(chunkHash(data)), `length ${n}`).toBe(hashToHex(wasmChunkHash(data)));
    }
  });

  it('starts every chunk afresh on the one reused hasher, and never changes a hash it gave', () => {
    const a = randomBytes(70_000);
    const b = randomBytes(1_000);
    const first = chunkHash(a);
    const kept = hashToHex(first);
    expect(hashToHex(chunkHash([b.subarray(0, 10), b.subarray(10)]))).toBe(hashToHex(wasmChunkHash(b)));
    expect(hashToHex(chunkHash(a))).toBe(kept);
    expect(hashToHex(first)).toBe(kept);
  });

  it('gives the file hash the CAS names the file by', () => {
    const recomputed: { hash: Uint8Array; length: number }[] = [];
    let pos = 0;
    for (const c of chunks) {
      recomputed.push({ hash: chunkHash(bytes.subarray(pos, pos + c.length)), length: c.length });
      pos += c.length;
    }
    expect(xetFileHash(recomputed)).toBe(new XorbStore().add(content).hash);
    expect(xetFileHash([])).toBe('0'.repeat(64));
  });

  it('builds the Merkle tree natively as xetchunk-wasm does, for any number of chunks and every cut rule', () => {
    // Random hashes hit natural cuts (a quarter of them), runs without one (8 children) and last nodes of every size.
    for (const n of [1, 2, 3, 4, 8, 9, 10, 17, 64, 65, 1000, 4097]) {
      const ids = Array.from({ length: n }, (_, i) => ({ hash: new Uint8Array(randomBytes(32)), length: 1 + ((i * 7919) % 131_072) }));
      expect(xetFileHash(ids), `${n} chunks`).toBe(hashToHex(fileHash(ids)));
    }
    const h = new Uint8Array(randomBytes(32));
    expect(xetHex(h)).toBe(hashToHex(h));
  });
});
