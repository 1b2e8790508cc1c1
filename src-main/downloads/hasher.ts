/**
 * Hashing while downloading. Small files hash on the main thread; large ones in a worker thread so
 * hashing (about as costly as receiving the bytes) runs beside the network and disk work instead of
 * after it. The worker is inline source: no separate bundle entry to ship and locate.
 */
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface StreamHasher {
  update(chunk: Buffer): void;
  digest(): Promise<string>;
  dispose(): void;
  /** Bytes handed over but not hashed yet (0 for the inline hasher). */
  readonly backlog: number;
  /** Resolves once the backlog is below the limit. */
  drained(): Promise<void>;
}

/** sha256 for LFS blobs (64-hex etag); git's blob sha1 ("blob <size>\0" + data) for regular files. */
function algoFor(etag: string, size: number): { algo: 'sha256' | 'sha1'; prefix: string | null } {
  return etag.length === 64 ? { algo: 'sha256', prefix: null } : { algo: 'sha1', prefix: `blob ${size}\0` };
}

class InlineHasher implements StreamHasher {
  #h: Hash;
  constructor(etag: string, size: number) {
    const { algo, prefix } = algoFor(etag, size);
    this.#h = createHash(algo);
    if (prefix) this.#h.update(prefix);
  }
  update(chunk: Buffer): void {
    this.#h.update(chunk);
  }
  digest(): Promise<string> {
    return Promise.resolve(this.#h.digest('hex'));
  }
  dispose(): void {}
  readonly backlog = 0;
  drained(): Promise<void> {
    return Promise.resolve();
  }
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
let h = null;
parentPort.on('message', (m) => {
  if (m.t === 'init') { h = createHash(m.algo); if (m.prefix) h.update(m.prefix); }
  else if (m.t === 'u') { h.update(new Uint8Array(m.b, 0, m.l)); parentPort.postMessage({ ack: m.l }); }
  else if (m.t === 'd') parentPort.postMessage({ hex: h.digest('hex') });
});
`;

const BATCH = 1 << 20;

/** Past this many bytes in flight to the worker, the download waits (bounded memory). */
export const MAX_BACKLOG = 16 << 20;

class WorkerHasher implements StreamHasher {
  #worker = new Worker(WORKER_SOURCE, { eval: true });
  #pending: Buffer[] = [];
  #size = 0;
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  #digest: ((hex: string) => void) | null = null;

  constructor(etag: string, size: number) {
    this.#worker.unref();
    this.#worker.on('message', (m: { ack?: number; hex?: string }) => {
      if (m.ack !== undefined) {
        this.#inFlight -= m.ack;
        if (this.#inFlight < MAX_BACKLOG) for (const w of this.#waiters.splice(0)) w();
      } else if (m.hex !== undefined) this.#digest?.(m.hex);
    });
    const { algo, prefix } = algoFor(etag, size);
    this.#worker.postMessage({ t: 'init', algo, prefix });
  }

  update(chunk: Buffer): void {
    this.#pending.push(chunk);
    this.#size += chunk.length;
    if (this.#size >= BATCH) this.#flush();
  }

  #flush(): void {
    if (this.#size === 0) return;
    // A fresh (unpooled) buffer of ≥ 1 MiB: its memory can move to the worker without a copy.
    const joined = Buffer.allocUnsafeSlow(this.#size);
    let at = 0;
    for (const c of this.#pending) {
      c.copy(joined, at);
      at += c.length;
    }
    this.#pending = [];
    this.#size = 0;
    const ab = joined.buffer as ArrayBuffer;
    this.#inFlight += joined.length;
    this.#worker.postMessage({ t: 'u', b: ab, l: joined.length }, [ab]);
  }

  get backlog(): number {
    return this.#inFlight + this.#size;
  }

  drained(): Promise<void> {
    if (this.#inFlight < MAX_BACKLOG) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  digest(): Promise<string> {
    this.#flush();
    return new Promise((resolve, reject) => {
      this.#digest = (hex) => {
        void this.#worker.terminate();
        resolve(hex);
      };
      this.#worker.once('error', reject);
      this.#worker.postMessage({ t: 'd' });
    });
  }

  dispose(): void {
    for (const w of this.#waiters.splice(0)) w();
    void this.#worker.terminate();
  }
}

/** Files at least this large are hashed off the main thread… */
export const WORKER_HASH_THRESHOLD = 32 << 20;

/** …when there is a core to spare for it; on two cores the worker only competes with the rest. */
export function workerHashingUseful(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  // HUBCAP_HASH_THREAD=worker|inline overrides the choice (benchmarks compare both).
  if (env.HUBCAP_HASH_THREAD === 'worker') return true;
  if (env.HUBCAP_HASH_THREAD === 'inline') return false;
  return availableParallelism() >= 3;
}

export function createStreamHasher(etag: string, size: number, offThread = workerHashingUseful()): StreamHasher {
  return offThread && size >= WORKER_HASH_THRESHOLD ? new WorkerHasher(etag, size) : new InlineHasher(etag, size);
}
