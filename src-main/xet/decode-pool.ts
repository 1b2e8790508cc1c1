/**
 * Compressed Xet chunks decoded off the download's thread. Most weights on the Hub are stored
 * byte-grouped and LZ4-compressed; decoding and hashing them on the thread that also reads every
 * socket made that thread the limit of a loopback download (1 GiB: LZ4 1.5 s, regrouping 1.3 s,
 * chunk hashes 1.35 s of a 9.6 s profile; docs/performance.md). hf_xet spreads the same work over
 * its threads. A pool shared by every download of the process (one less than the cores, at most
 * four) takes batches of chunks and answers with their bytes and hashes; the download keeps each
 * range's order itself (xet-transfer.ts).
 *
 * The workers are the built `xet-decode-worker.js` where there is one, else the TypeScript source
 * through tsx (tests). Stored (scheme 0) chunks pass through untouched; compressed ones are copied
 * into the pool's shared arena (decode-arena.ts) and decoded there by the workers' wasm, whose
 * memory it is, their bytes given back as the download writes them (HashedChunk.release); when the
 * arena is full, into a buffer of their own moved to the worker and back. A worker that fails or
 * exits leaves the pool and the batches it held fail (the download fetches those chunks again);
 * after two such failures, and with a single core, batches are decoded here. Idle workers never
 * hold the process open.
 */
import fs from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sourceWorker } from '../base/source-worker';
import { decodeFramed, releaseFramed, type FramedChunk } from './chunk-format';
import { LazyArena, type DecodeArena } from './decode-arena';
import {
  batchHeaders,
  copyStored,
  decodePacked,
  inputSpanSize,
  outputSpanSize,
  packBatch,
  scratchOffset,
  storedSize,
  unpackDecoded,
  type ArenaMessage,
  type DecodeReply,
  type DecodeRequest,
  type HashedChunk,
  type PackedBatch,
} from './decode-batch';
import { XetDataError } from './errors';
import { nativeChunkHash } from './hashes';

export type { HashedChunk } from './decode-batch';

/** Decodes framed chunks; the answer keeps their order. */
export interface ChunkDecoder {
  decode(frames: readonly FramedChunk[]): Promise<HashedChunk[]>;
}

/**
 * The shared arena's size. A download keeps ~1 MiB decoded per connection in flight
 * (xet-answer-chunks.ts), 16 connections at most; only pages ever touched are resident.
 */
const ARENA_BYTES = 32 << 20;
/** An arena unused this long is let go, in the workers too. */
const ARENA_IDLE_MS = 5000;

interface Waiting {
  frames: readonly FramedChunk[];
  headers: Uint32Array;
  /** Stored bytes sent. */
  bytes: number;
  /** Where the batch is in which arena (null: moved over in a buffer of its own). */
  spans: Spans | null;
  resolve: (chunks: HashedChunk[]) => void;
  reject: (error: unknown) => void;
}

/** A batch's two spans in an arena, with the sizes asked for them. */
interface Spans {
  arena: DecodeArena;
  inAt: number;
  inSpan: number;
  outAt: number;
  outSpan: number;
}

interface PoolWorker {
  worker: Worker;
  /** The arena this worker was last sent (null: none, or it was let go). */
  arena: DecodeArena | null;
  waiting: Map<number, Waiting>;
  /** Stored bytes sent and not answered: the next batch goes to the least loaded worker. */
  load: number;
}

/** Decodes compressed chunks on this thread (no worker), hashing natively when it can. */
function decodeHere(frames: readonly FramedChunk[], batch: PackedBatch): HashedChunk[] {
  const { out, hashes } = decodePacked(batch, nativeChunkHash());
  return unpackDecoded(frames, batch.headers, out, hashes);
}

/** The batch's chunks in order: stored ones as they arrived, compressed ones from `decoded`. */
function merged(frames: readonly FramedChunk[], decoded: HashedChunk[]): HashedChunk[] {
  let k = 0;
  return frames.map((f) => (f.header.scheme === 0 ? { ...decodeFramed(f), hash: null } : (decoded[k++] as HashedChunk)));
}

export class DecodePool implements ChunkDecoder {
  readonly #start: () => Worker;
  readonly #size: number;
  readonly #arenas: LazyArena | null;
  readonly #workers: PoolWorker[] = [];
  #nextId = 1;
  #failures = 0;
  #inPlace = 0;

  /** `arenaBytes` 0: no shared arena, every batch is moved over and back. */
  constructor(start: () => Worker, size: number, arenaBytes = ARENA_BYTES, arenaIdleMs = ARENA_IDLE_MS) {
    this.#start = start;
    this.#size = size;
    this.#arenas = arenaBytes > 0 ? new LazyArena(arenaBytes, arenaIdleMs, () => this.#letGo()) : null;
  }

  /** Workers running now (started on first use, up to the pool's size). */
  get workers(): number {
    return this.#workers.length;
  }

  /** Bytes of the shared arena held by batches in flight and chunks not yet released. */
  get arenaInUse(): number {
    return this.#arenas?.inUse ?? 0;
  }

  /** Batches a worker's wasm decoded where the arena holds them (the rest were copied in and out). */
  get batchesInPlace(): number {
    return this.#inPlace;
  }

  /** Whether the pool holds an arena now (one unused for a while is let go). */
  get arenaHeld(): boolean {
    return this.#arenas?.held ?? false;
  }

  decode(frames: readonly FramedChunk[]): Promise<HashedChunk[]> {
    const compressed = frames.filter((f) => f.header.scheme !== 0);
    if (!compressed.length) return Promise.resolve(merged(frames, []));
    const w = this.#pick();
    if (!w) {
      const batch = packBatch(compressed);
      compressed.forEach(releaseFramed);
      return Promise.resolve().then(() => merged(frames, decodeHere(compressed, batch)));
    }
    const headers = batchHeaders(compressed);
    const inLen = storedSize(headers);
    const spans = this.#place(inputSpanSize(headers), outputSpanSize(headers));
    let request: DecodeRequest;
    let moved: ArrayBuffer[] = [];
    if (spans) {
      copyStored(compressed, headers, spans.arena.view(spans.inAt, inLen));
      // The arena goes before the first batch that uses it: messages arrive in order.
      if (w.arena !== spans.arena) {
        const message: ArenaMessage = { arena: spans.arena.shared };
        w.worker.postMessage(message);
        w.arena = spans.arena;
      }
      request = { id: this.#nextId++, headers, inAt: spans.inAt, inLen, scratchAt: spans.inAt + scratchOffset(inLen), outAt: spans.outAt };
    } else {
      const batch = packBatch(compressed);
      request = { id: this.#nextId++, ...batch };
      moved = [batch.data];
    }
    // Copied: the read slabs under their views go back (only their sizes are read from here on).
    compressed.forEach(releaseFramed);
    return new Promise<HashedChunk[]>((resolve, reject) => {
      if (w.waiting.size === 0) w.worker.ref();
      w.waiting.set(request.id, { frames: compressed, headers, bytes: inLen, spans, resolve: (d) => resolve(merged(frames, d)), reject });
      w.load += inLen;
      try {
        w.worker.postMessage(request, moved);
      } catch (error) {
        w.waiting.delete(request.id);
        w.load -= inLen;
        if (w.waiting.size === 0) w.worker.unref();
        this.#free(spans, true);
        reject(error);
      }
    });
  }

  /** Input and output spans in the arena, or null (no arena, or no room: the batch is moved instead). */
  #place(inSpan: number, outSpan: number): Spans | null {
    const arena = this.#arenas?.take();
    const inAt = arena?.alloc(inSpan) ?? null;
    if (!arena || inAt === null) return null;
    const outAt = arena.alloc(outSpan);
    if (outAt === null) {
      arena.free(inAt, inSpan);
      return null;
    }
    return { arena, inAt, inSpan, outAt, outSpan };
  }

  /** The arena was let go: the workers drop their reference too, so their collectors can free it. */
  #letGo(): void {
    for (const w of this.#workers)
      if (w.arena) {
        const message: ArenaMessage = { arena: null };
        w.worker.postMessage(message);
        w.arena = null;
      }
  }

  /** Gives back a batch's input span, and its output span too when `output` (it failed, or nothing holds its chunks). */
  #free(spans: Spans | null, output: boolean): void {
    if (!spans) return;
    spans.arena.free(spans.inAt, spans.inSpan);
    if (output) spans.arena.free(spans.outAt, spans.outSpan);
  }

  /** Stops every worker; batches they held fail. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }

  #pick(): PoolWorker | null {
    const idle = this.#workers.find((w) => w.load === 0);
    // Workers that failed twice over are not started again: the batches are decoded here.
    if (!idle && this.#workers.length < this.#size && this.#failures < 2) {
      const started = this.#spawn();
      if (started) return started;
    }
    return idle ?? this.#workers.reduce<PoolWorker | null>((a, b) => (a && a.load <= b.load ? a : b), null);
  }

  #spawn(): PoolWorker | null {
    let worker: Worker;
    try {
      worker = this.#start();
    } catch {
      this.#failures += 1;
      return null;
    }
    const w: PoolWorker = { worker, arena: null, waiting: new Map(), load: 0 };
    worker.on('message', (m: DecodeReply) => {
      const waiting = w.waiting.get(m.id);
      if (!waiting) return;
      w.waiting.delete(m.id);
      w.load -= waiting.bytes;
      if (w.waiting.size === 0) worker.unref();
      const { spans } = waiting;
      if ('error' in m) {
        this.#free(spans, true);
        waiting.reject(m.error.problem ? new XetDataError(m.error.problem, m.error.message) : new Error(m.error.message));
        return;
      }
      // The worker is done with the input; the output is held until the download releases every chunk.
      this.#free(spans, false);
      if (m.inPlace) this.#inPlace += 1;
      try {
        const out = spans ? spans.arena.buffer : m.out;
        if (!out) throw new Error('a decoded batch came back without its bytes');
        const release = spans ? { at: spans.outAt, release: () => spans.arena.free(spans.outAt, spans.outSpan) } : undefined;
        waiting.resolve(unpackDecoded(waiting.frames, waiting.headers, out, m.hashes, release));
      } catch (error) {
        if (spans) spans.arena.free(spans.outAt, spans.outSpan);
        waiting.reject(error);
      }
    });
    const gone = () => {
      const at = this.#workers.indexOf(w);
      if (at < 0) return;
      this.#workers.splice(at, 1);
      this.#failures += 1;
      // Their bytes went with the worker: the download fetches those chunks again. The worker no
      // longer runs, so their arena spans are free.
      for (const waiting of w.waiting.values()) {
        this.#free(waiting.spans, true);
        waiting.reject(new Error('the Xet decode worker stopped'));
      }
      w.waiting.clear();
    };
    worker.once('error', gone);
    worker.once('exit', gone);
    // An answer that cannot be read names no batch: the worker is stopped, and all it held fails.
    worker.on('messageerror', () => void worker.terminate());
    worker.unref();
    this.#workers.push(w);
    return w;
  }
}

/** Where the decode worker's built bundle is (set by the core at start); without it, its source. */
let builtEntry: string | undefined;
let shared: DecodePool | null | undefined;

export function useXetDecodeWorker(entry: string | undefined): void {
  if (entry === builtEntry) return;
  builtEntry = entry;
  void shared?.close();
  shared = undefined;
}

/** The process's pool (null with a single core, or when neither the bundle nor the source is here). */
export function sharedDecodePool(): DecodePool | null {
  if (shared !== undefined) return shared;
  const size = Math.min(4, availableParallelism() - 1);
  // A path built at run time, so the bundler never mistakes it for an asset to bundle.
  const source = path.join(path.dirname(fileURLToPath(import.meta.url)), 'decode-worker.ts');
  const built = builtEntry && fs.existsSync(builtEntry) ? builtEntry : null;
  if (size < 1 || (!built && !fs.existsSync(source))) return (shared = null);
  // A small young generation: the block decoder's outputs are native buffers freed only when their
  // handles are collected, and a worker with the default one held ~5 MB more at its peak (1 GiB).
  const resourceLimits = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 };
  shared = new DecodePool(() => (built ? new Worker(built, { resourceLimits }) : sourceWorker(source)), size);
  return shared;
}
