/**
 * The chunk hashes behind a Xet file hash. Natively (xet/hashes.ts: the blake3 crate, ~3.5 GB/s)
 * they are computed inline from each decoded chunk, ~20 ms per 64 MiB. Where only the wasm exists
 * (@huggingface/blake3-jit, 35-450 MB/s here, slower than a loopback download) large files hash
 * in a worker that reads each written chunk back from the same descriptor (page cache, no bytes
 * cross threads) while the download goes on, as the sha256 hasher does (hasher.ts). The Xet hash is
 * a second check beside the sha256 (which alone is read back from disk), so a failure here never
 * fails a download by itself: the hash is then reported as not matched.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { MAX_CHUNK_BYTES } from '../xet/chunk-format';
import { chunkHash, DATA_KEY, nativeChunkHashing, xetFileHash, type ChunkId } from '../xet/hashes';
import { WORKER_HASH_THRESHOLD, workerHashingUseful } from './hasher';

const BATCH = 64;

/** The worker gets blake3-jit's path and the chunk key (xet/hashes.ts DATA_KEY) in its workerData. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { Hasher } = require(workerData.blake3);
const hasher = Hasher.newKeyed(new Uint8Array(workerData.key));
const buf = Buffer.allocUnsafe(${MAX_CHUNK_BYTES});
parentPort.on('message', (spans) => {
  try {
    const n = spans.length / 2;
    const out = new Uint8Array(n * 32);
    for (let i = 0; i < n; i++) {
      const at = spans[2 * i], len = spans[2 * i + 1];
      const got = fs.readSync(workerData.fd, buf, 0, len, at);
      if (got !== len) throw new Error('the file ended at ' + (at + got) + ' while its chunks were hashed');
      out.set(hasher.reset().update(buf.subarray(0, len)).finalize(32), i * 32);
    }
    parentPort.postMessage({ spans, hashes: out }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e) });
  }
});
`;

export interface ChunkHasher {
  /** A chunk of `length` bytes now on disk at each of `ats` (its bytes are `data`, in order; `hash` when already computed). */
  add(ats: number[], length: number, data: readonly Uint8Array[], hash?: Uint8Array | null): void;
  /** The Xet file hash of these chunks in file order (any not added are read back and hashed now). */
  fileHash(chunks: [number, number][]): Promise<string>;
  /** Stops the worker; resolves once nothing reads the descriptor any more. */
  dispose(): Promise<void>;
}

/** The file hash from known chunk hashes, reading back and hashing here any chunk not known. */
function fileHashFrom(fd: number, chunks: [number, number][], known: Map<number, Uint8Array>): string {
  const ids: ChunkId[] = [];
  const buf = Buffer.allocUnsafe(MAX_CHUNK_BYTES);
  for (const [at, length] of chunks) {
    let hash = known.get(at);
    if (!hash) {
      const got = fs.readSync(fd, buf, 0, length, at);
      if (got !== length) throw new Error(`the file ended at ${at + got} while its chunks were hashed`);
      hash = chunkHash(buf.subarray(0, length));
    }
    ids.push({ hash, length });
  }
  return xetFileHash(ids);
}

class InlineChunkHasher implements ChunkHasher {
  readonly #fd: number;
  readonly #hashes = new Map<number, Uint8Array>();

  constructor(fd: number) {
    this.#fd = fd;
  }

  add(ats: number[], _length: number, data: readonly Uint8Array[], hash?: Uint8Array | null): void {
    const h = hash ?? chunkHash(data);
    for (const at of ats) this.#hashes.set(at, h);
  }

  async fileHash(chunks: [number, number][]): Promise<string> {
    return fileHashFrom(this.#fd, chunks, this.#hashes);
  }

  async dispose(): Promise<void> {}
}

class WorkerChunkHasher implements ChunkHasher {
  readonly #worker: Worker;
  readonly #fd: number;
  readonly #hashes = new Map<number, Uint8Array>();
  #batch: number[] = [];
  #pending = 0;
  #waiters: (() => void)[] = [];
  #failed = false;

  constructor(fd: number, blake3: string, key: Uint8Array) {
    this.#fd = fd;
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd, blake3, key: [...key] } });
    this.#worker.unref();
    this.#worker.on('message', (m: { spans?: number[]; hashes?: Uint8Array; error?: string }) => {
      if (m.spans && m.hashes) for (let i = 0; i < m.spans.length / 2; i++) this.#hashes.set(m.spans[2 * i] as number, m.hashes.subarray(i * 32, i * 32 + 32));
      if (m.error !== undefined) this.#failed = true;
      this.#settle();
    });
    const stop = () => {
      this.#failed = true;
      this.#pending = 0;
      this.#settle(true);
    };
    this.#worker.once('error', stop);
    this.#worker.once('exit', stop);
  }

  #settle(all = false): void {
    this.#pending = all ? 0 : Math.max(0, this.#pending - 1);
    if (this.#pending === 0) for (const w of this.#waiters.splice(0)) w();
  }

  #flush(): void {
    if (!this.#batch.length || this.#failed) return;
    this.#pending += 1;
    this.#worker.postMessage(this.#batch);
    this.#batch = [];
  }

  add(ats: number[], length: number, _data: readonly Uint8Array[], hash?: Uint8Array | null): void {
    if (hash) for (const at of ats) this.#hashes.set(at, hash);
    if (hash || this.#failed) return;
    for (const at of ats) this.#batch.push(at, length);
    if (this.#batch.length >= BATCH * 2) this.#flush();
  }

  async fileHash(chunks: [number, number][]): Promise<string> {
    for (const [at, length] of chunks) if (!this.#hashes.has(at)) this.#batch.push(at, length);
    this.#flush();
    if (this.#pending > 0) await new Promise<void>((r) => this.#waiters.push(r));
    // Whatever the worker could not do (it failed, or was stopped) is hashed here.
    return fileHashFrom(this.#fd, chunks, this.#hashes);
  }

  async dispose(): Promise<void> {
    await this.#worker.terminate();
  }
}

function blake3Path(): string | null {
  try {
    return createRequire(import.meta.url).resolve('@huggingface/blake3-jit');
  } catch {
    return null;
  }
}

/** The Xet file hash of the chunks at these offsets (lengths by offset) when they tile [0, size) exactly; null otherwise (chunks copied from another file leave holes). */
export async function tiledFileHash(hasher: ChunkHasher, chunks: ReadonlyMap<number, number>, size: number): Promise<string | null> {
  const ordered = [...chunks.entries()].sort((a, b) => a[0] - b[0]);
  let pos = 0;
  for (const [at, length] of ordered) {
    if (at !== pos) return null;
    pos += length;
  }
  if (pos !== size) return null;
  return hasher.fileHash(ordered).catch(() => null);
}

export function createChunkHasher(fd: number, size: number, offThread = workerHashingUseful(), native = nativeChunkHashing()): ChunkHasher {
  const blake3 = !native && offThread && size >= WORKER_HASH_THRESHOLD ? blake3Path() : null;
  return blake3 ? new WorkerChunkHasher(fd, blake3, DATA_KEY) : new InlineChunkHasher(fd);
}
