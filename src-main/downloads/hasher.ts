/**
 * Hashing a download from the file itself. The hasher reads the temp file back, in order, as far
 * as bytes are known to be on disk, so what is verified is what will land under the blob's name
 * (another writer's bytes, a short write or a truncation all change it), not what we meant to write.
 * Reading back a just-written file costs a copy from the page cache; hashing costs the same either
 * way. sha256 has to see the bytes in order, so parallel ranges (written at their offsets) are
 * hashed as the completed prefix grows; there is no way to hash ranges apart and combine them.
 *
 * Large files hash in a worker thread when there is a core to spare: it reads the same descriptor
 * itself, so no bytes cross threads. The worker is inline source: no separate bundle to ship.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { hashAlgorithm } from '../hub/blob-id';

export interface DiskHasher {
  /** Bytes [0, n) of the file are written: hash them when convenient. Never goes backwards. */
  advance(n: number): void;
  /** Bytes hashed so far. */
  readonly hashed: number;
  /** The hex digest once all `size` bytes are hashed (advance(size) must have been called). */
  digest(): Promise<string>;
  /** Stops reading; resolves once nothing reads the descriptor any more (then it may be closed). */
  dispose(): Promise<void>;
}

const CHUNK = 4 << 20;

class ShortReadError extends Error {
  constructor(at: number) {
    super(`the file ended at ${at} bytes while being verified`);
  }
}

class InlineDiskHasher implements DiskHasher {
  readonly #fd: number;
  readonly #size: number;
  readonly #hash;
  readonly #buf = Buffer.allocUnsafe(CHUNK);
  #target = 0;
  #hashed = 0;
  #running: Promise<void> | null = null;
  #error: unknown = null;
  #disposed = false;

  constructor(fd: number, etag: string, size: number) {
    this.#fd = fd;
    this.#size = size;
    const { algo, prefix } = hashAlgorithm(etag, size);
    this.#hash = createHash(algo);
    if (prefix) this.#hash.update(prefix);
  }

  get hashed(): number {
    return this.#hashed;
  }

  advance(n: number): void {
    if (n <= this.#target) return;
    this.#target = Math.min(n, this.#size);
    this.#running ??= this.#pump().finally(() => {
      this.#running = null;
    });
  }

  async #pump(): Promise<void> {
    try {
      while (this.#hashed < this.#target && !this.#disposed) {
        const want = Math.min(CHUNK, this.#target - this.#hashed);
        const bytesRead = await new Promise<number>((resolve, reject) =>
          fs.read(this.#fd, this.#buf, 0, want, this.#hashed, (err, n) => (err ? reject(err) : resolve(n))),
        );
        if (bytesRead === 0) throw new ShortReadError(this.#hashed);
        this.#hash.update(this.#buf.subarray(0, bytesRead));
        this.#hashed += bytesRead;
      }
    } catch (error) {
      this.#error = error;
    }
  }

  async digest(): Promise<string> {
    while (this.#running) await this.#running;
    if (this.#error) throw this.#error;
    if (this.#hashed !== this.#size) throw new Error(`only ${this.#hashed} of ${this.#size} bytes were hashed`);
    return this.#hash.digest('hex');
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    while (this.#running) await this.#running;
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const { fd, size, algo, prefix } = workerData;
const h = createHash(algo);
if (prefix) h.update(prefix);
const buf = Buffer.allocUnsafe(${CHUNK});
let hashed = 0, target = 0, digestWanted = false, failed = false;
function pump() {
  try {
    while (hashed < target) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, target - hashed), hashed);
      if (n === 0) throw new Error('the file ended at ' + hashed + ' bytes while being verified');
      h.update(buf.subarray(0, n));
      hashed += n;
    }
    parentPort.postMessage({ hashed });
    if (digestWanted && hashed === size) parentPort.postMessage({ hex: h.digest('hex') });
  } catch (e) {
    failed = true;
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
}
parentPort.on('message', (m) => {
  if (failed) return;
  if (m.t === 'to') target = Math.max(target, m.n);
  else if (m.t === 'd') digestWanted = true;
  pump();
});
`;

/** The worker is told of written bytes in steps this large (and at the end). */
const POST_STEP = 1 << 20;

class WorkerDiskHasher implements DiskHasher {
  readonly #worker: Worker;
  readonly #size: number;
  #target = 0;
  #posted = 0;
  #hashed = 0;
  #result: Promise<string>;

  constructor(fd: number, etag: string, size: number) {
    this.#size = size;
    const { algo, prefix } = hashAlgorithm(etag, size);
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd, size, algo, prefix } });
    this.#worker.unref();
    this.#result = new Promise<string>((resolve, reject) => {
      this.#worker.on('message', (m: { hashed?: number; hex?: string; error?: string }) => {
        if (m.hashed !== undefined) this.#hashed = m.hashed;
        if (m.hex !== undefined) resolve(m.hex);
        if (m.error !== undefined) reject(new Error(m.error));
      });
      this.#worker.once('error', reject);
      // Terminated (dispose) before it answered: digest() must not wait for ever.
      this.#worker.once('exit', () => reject(new Error('the hasher was stopped')));
    });
    this.#result.catch(() => undefined);
  }

  get hashed(): number {
    return this.#hashed;
  }

  advance(n: number): void {
    if (n <= this.#target) return;
    this.#target = Math.min(n, this.#size);
    // A message per chunk written (a Xet download writes ~16 a MiB) cost the main thread more than
    // the worker saved it; in 1 MiB steps the worker still never waits long.
    if (this.#target - this.#posted < POST_STEP && this.#target !== this.#size) return;
    this.#posted = this.#target;
    this.#worker.postMessage({ t: 'to', n: this.#target });
  }

  async digest(): Promise<string> {
    if (this.#target !== this.#size) throw new Error(`only ${this.#target} of ${this.#size} bytes were written`);
    this.#worker.postMessage({ t: 'd' });
    try {
      return await this.#result;
    } finally {
      void this.#worker.terminate();
    }
  }

  async dispose(): Promise<void> {
    await this.#worker.terminate();
  }
}

/** Files at least this large are hashed off the main thread… */
export const WORKER_HASH_THRESHOLD = 32 << 20;

/** HUBCAP_HASH_THREAD as the environment module read it (benchmarks compare both); the core sets it at start. */
let hashThread: 'worker' | 'inline' | null = null;

export function useHashThread(choice: 'worker' | 'inline' | null): void {
  hashThread = choice;
}

/**
 * …whenever there is a second core: the worker reads the file itself (nothing crosses threads), so
 * it is faster than hashing inline even on two cores (docs/performance.md, Downloads).
 */
export function workerHashingUseful(choice: 'worker' | 'inline' | null = hashThread): boolean {
  if (choice) return choice === 'worker';
  return availableParallelism() >= 2;
}

/**
 * A hasher over an open file descriptor. The caller keeps the descriptor open until digest()
 * settles or dispose() is called.
 */
export function createDiskHasher(fd: number, etag: string, size: number, offThread = workerHashingUseful()): DiskHasher {
  return offThread && size >= WORKER_HASH_THRESHOLD ? new WorkerDiskHasher(fd, etag, size) : new InlineDiskHasher(fd, etag, size);
}
