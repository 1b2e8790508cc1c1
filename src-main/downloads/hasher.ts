/**
 * Hashing a download from the file itself. The hasher reads the temp file back, in order, as far
 * as bytes are known to be on disk, so what is verified is what will land under the blob's name
 * (another writer's bytes, a short write or a truncation all change it), not what we meant to write.
 * Reading back a just-written file costs a copy from the page cache; hashing costs the same either
 * way. sha256 has to see the bytes in order, so parallel ranges (written at their offsets) are
 * hashed as the completed prefix grows; there is no way to hash ranges apart and combine them.
 *
 * Files from 8 MiB hash in a worker thread when there is a core to spare: it reads the same
 * descriptor itself, so no bytes cross threads, and one worker serves every file of the process.
 * The worker is inline source: no separate bundle to ship.
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

// One worker for the process, hashing every off-thread file by id: a worker per file cost ~80 ms
// of CPU to start (a 12 MiB shard hashes in ~10 ms), so only large files could pay for one.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const buf = Buffer.allocUnsafe(${CHUNK});
const jobs = new Map();
function pump(id, j) {
  try {
    while (j.hashed < j.target) {
      const n = fs.readSync(j.fd, buf, 0, Math.min(buf.length, j.target - j.hashed), j.hashed);
      if (n === 0) throw new Error('the file ended at ' + j.hashed + ' bytes while being verified');
      j.h.update(buf.subarray(0, n));
      j.hashed += n;
    }
    parentPort.postMessage({ id, hashed: j.hashed });
    if (j.digestWanted && j.hashed === j.size) {
      jobs.delete(id);
      parentPort.postMessage({ id, hex: j.h.digest('hex') });
    }
  } catch (e) {
    jobs.delete(id);
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
}
parentPort.on('message', (m) => {
  if (m.t === 'open') {
    const h = createHash(m.algo);
    if (m.prefix) h.update(m.prefix);
    jobs.set(m.id, { fd: m.fd, size: m.size, h, hashed: 0, target: 0, digestWanted: false });
    return;
  }
  // Closed: this job's descriptor is read no more once this answer is sent (messages run in order).
  if (m.t === 'x') {
    jobs.delete(m.id);
    parentPort.postMessage({ id: m.id, closed: true });
    return;
  }
  const j = jobs.get(m.id);
  if (!j) return;
  if (m.t === 'to') j.target = Math.max(j.target, m.n);
  else if (m.t === 'd') j.digestWanted = true;
  pump(m.id, j);
});
`;

interface WorkerAnswer {
  id: number;
  hashed?: number;
  hex?: string;
  error?: string;
  closed?: boolean;
}

/** The shared hashing worker and the jobs listening to it; made at first use, unref'd (it never holds the process open). */
let shared: { worker: Worker; jobs: Map<number, (m: WorkerAnswer) => void> } | null = null;

function listen(s: NonNullable<typeof shared>, id: number, on: (m: WorkerAnswer) => void): void {
  if (s.jobs.size === 0) s.worker.ref();
  s.jobs.set(id, on);
}

function stopListening(s: NonNullable<typeof shared>, id: number): void {
  if (s.jobs.delete(id) && s.jobs.size === 0) s.worker.unref();
}
let nextJobId = 1;

function sharedWorker(): NonNullable<typeof shared> {
  if (shared) return shared;
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const jobs = new Map<number, (m: WorkerAnswer) => void>();
  const me = { worker, jobs };
  const fail = (error: unknown) => {
    if (shared === me) shared = null;
    const message = error instanceof Error ? error.message : 'the hasher was stopped';
    for (const [id, on] of jobs) on({ id, error: message, closed: true });
    jobs.clear();
  };
  worker.on('message', (m: WorkerAnswer) => jobs.get(m.id)?.(m));
  worker.once('error', fail);
  worker.once('exit', () => fail(new Error('the hasher was stopped')));
  // Held only while a job waits on it (a digest after the last socket closed must keep the process
  // alive), and unref'd after the listeners: a 'message' listener added later refs it again.
  worker.unref();
  shared = me;
  return me;
}

/** The worker is told of written bytes in steps this large (and at the end). */
const POST_STEP = 1 << 20;

class WorkerDiskHasher implements DiskHasher {
  readonly #shared = sharedWorker();
  readonly #id = nextJobId++;
  readonly #size: number;
  #target = 0;
  #posted = 0;
  #hashed = 0;
  #result: Promise<string>;
  #closed: Promise<void>;

  constructor(fd: number, etag: string, size: number) {
    this.#size = size;
    const { algo, prefix } = hashAlgorithm(etag, size);
    let onClosed = () => {};
    this.#closed = new Promise<void>((resolve) => (onClosed = resolve));
    this.#result = new Promise<string>((resolve, reject) => {
      listen(this.#shared, this.#id, (m) => {
        if (m.hashed !== undefined) this.#hashed = m.hashed;
        if (m.hex !== undefined) resolve(m.hex);
        if (m.error !== undefined) reject(new Error(m.error));
        // Done, failed or closed: the worker reads this descriptor no more.
        if (m.hex !== undefined || m.error !== undefined || m.closed) {
          stopListening(this.#shared, this.#id);
          onClosed();
        }
      });
    });
    this.#result.catch(() => undefined);
    this.#shared.worker.postMessage({ t: 'open', id: this.#id, fd, size, algo, prefix });
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
    this.#shared.worker.postMessage({ t: 'to', id: this.#id, n: this.#target });
  }

  async digest(): Promise<string> {
    if (this.#target !== this.#size) throw new Error(`only ${this.#target} of ${this.#size} bytes were written`);
    this.#shared.worker.postMessage({ t: 'd', id: this.#id });
    return this.#result;
  }

  async dispose(): Promise<void> {
    if (this.#shared.jobs.has(this.#id)) this.#shared.worker.postMessage({ t: 'x', id: this.#id });
    await this.#closed;
  }
}

/** Files at least this large are hashed off the main thread by the Xet chunk hasher (xet-chunk-hasher.ts)… */
export const WORKER_HASH_THRESHOLD = 32 << 20;

/**
 * …and by the disk hasher, whose worker is shared (nothing to start per file): from the size that
 * may use several connections (a snapshot's 12 MiB shards), where the main thread is busiest.
 */
export const DISK_HASH_WORKER_FROM = 8 << 20;

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
  return offThread && size >= DISK_HASH_WORKER_FROM ? new WorkerDiskHasher(fd, etag, size) : new InlineDiskHasher(fd, etag, size);
}
