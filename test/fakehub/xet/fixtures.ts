/**
 * Xet fixtures: files whose chunks exercise every storage scheme (random bytes stay uncompressed,
 * text takes LZ4, smooth float32 weights take byte grouping + LZ4), repeat themselves (chunks
 * deduplicated within the file), and span several xorbs when the store's xorbs are small.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { bufferContent, seededContent, type Content } from '../content';
import { MiB } from '../fixtures';
import { buildRepo, type FakeRepo } from '../model';
import type { FakeHub } from '../server';

function textBytes(size: number): Buffer {
  const parts: string[] = [];
  for (let i = 0, n = 0; n < size; i++) {
    const line = `{"token": ${i}, "text": "the quick brown fox jumps over the lazy dog", "id": ${(i * 7919) % 100_003}}\n`;
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

/** Weights-like float32s: a slow wave plus small noise, whose exponent bytes repeat (what BG4 is for). */
function floatBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i + 4 <= size; i += 4) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    out.writeFloatLE(0.02 * Math.sin(i / 4000) + ((x >>> 8) / 2 ** 24) * 1e-3, i);
  }
  return out;
}

/**
 * Bytes that never repeat (AES-128-CTR keystream, seekable), for Xet sizes and speeds: the fake
 * Hub's seededContent repeats every MiB but for a stamp, so content-defined chunking dedups most of
 * it and a Xet download of it moves a fraction of its size.
 */
export function noiseContent(seed: string, size: number): Content {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return {
    size,
    read(start, end) {
      const first = Math.floor(start / 16);
      const iv = Buffer.alloc(16);
      iv.writeBigUInt64BE(BigInt(first), 8);
      const c = createCipheriv('aes-128-ctr', key, iv);
      const out = c.update(Buffer.alloc(Math.max(0, end - first * 16)));
      return out.subarray(start - first * 16);
    },
  };
}

/**
 * Seekable bf16 weights, as most safetensors are: random signs and mantissas, exponents in a narrow
 * band (values of about 2^-9 to 2^-5), so the high byte of each pair repeats and byte grouping + LZ4
 * (scheme 2) shrinks a chunk by about an eighth while plain LZ4 barely does. For benchmarks of the
 * decoding path, where noiseContent stores every chunk raw.
 */
export function weightsContent(seed: string, size: number): Content {
  const noise = noiseContent(seed, size);
  return {
    size,
    read(start, end) {
      // Whole pairs from the keystream at the same offsets, then the asked bytes cut out.
      const from = start - (start % 2);
      const raw = noise.read(from, Math.min(size, end + (end % 2)));
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const r = raw[i + 1] as number;
        const exponent = 118 + (r % 5);
        raw[i] = (((exponent & 1) << 7) | ((raw[i] as number) & 0x7f)) & 0xff;
        raw[i + 1] = ((r & 0x80) | (exponent >> 1)) & 0xff;
      }
      return raw.subarray(start - from, start - from + (end - start));
    },
  };
}

/** 1 MiB of random bytes, stored first: the mixed file reuses two disjoint pieces of its xorb. */
export function baseXetContent(): Content {
  return seededContent('xet-base', 1 * MiB);
}

/**
 * About 5 MiB: random, text, floats, the head and the tail of the base file (one xorb asked for at
 * two disjoint ranges: a multi-range fetch), the random part again, and an odd tail.
 */
export function mixedXetContent(): Content {
  const random = seededContent('xet-random', 1 * MiB).read(0, 1 * MiB);
  const base = baseXetContent().read(0, 1 * MiB);
  return bufferContent(
    Buffer.concat([
      random,
      textBytes(1 * MiB),
      floatBytes(1 * MiB + 3, 7),
      base.subarray(0, 300_000),
      floatBytes(200_000, 9),
      base.subarray(700_000),
      random,
      textBytes(600_000 + 12_345),
    ]),
  );
}

export const XET_REPO = 'acme/xet-model';
export const XET_FILE = 'model.safetensors';

export function xetRepo(id = XET_REPO, content: Content = mixedXetContent()): FakeRepo {
  return buildRepo({
    id,
    tags: ['safetensors'],
    commits: [{ files: { 'base.bin': baseXetContent(), [XET_FILE]: content, 'config.json': '{"model_type":"llama"}' } }],
  });
}

/**
 * Makes the Hub name a wrong Xet hash for a file (tree, resolve headers) that its CAS answers with
 * the file's own chunks: the bytes and their sha256 are right, the hash of their chunks is not the
 * one named (#25.2: a client must say which check failed). Call before any client asks.
 */
export function misnameXetHash(hub: FakeHub, repoId: string, path: string, named = 'e'.repeat(64)): void {
  const repo = hub.repos.get(`model:${repoId}`);
  const file = repo?.commits.at(-1)?.files.get(path);
  const xet = repo && file ? hub.xet?.fileOf(repo, file) : null;
  if (!xet || !hub.xet) throw new Error(`${repoId} has no Xet file ${path}`);
  hub.xet.cas.store.files.set(named, xet);
  xet.hash = named;
}
