/**
 * Decoded Xet chunks on their way to the disk, behind the decoder and in order, so the socket is
 * read while the disk writes. Chunks that land end to end in the file go down in one positional
 * write: those that queued up while the previous write ran. One write per 64 KiB chunk (~1000 for
 * 64 MiB) cost a loopback download ~90 ms of its main thread, the one that parses every chunk
 * (docs/performance.md, Xet downloads, 2026-12-05).
 */
import type { FileHandle } from 'node:fs/promises';
import { sliceParts, writeAll } from './write-all';

/** Where a chunk's bytes go: its file offset, clipped to the plan window [from, to). */
export interface ChunkPlace {
  at: number;
  from: number;
  to: number;
}

/** A decoded chunk waiting for the disk. */
export interface PendingChunk {
  parts: Buffer[];
  length: number;
  places: ChunkPlace[];
  /** Its chunk hash, when the decoder computed it. */
  hash?: Uint8Array | null;
  /** Called once its bytes are on disk, in the order chunks were pushed. */
  written: () => void;
  /** Gives its bytes back (decode-arena.ts) once written or dropped; after `written`. */
  release?: () => void;
}

/** Bytes and buffers one write takes at most (IOV_MAX is 1024 on Linux). */
const MAX_RUN_BYTES = 4 << 20;
const MAX_RUN_BUFFERS = 512;

/** A chunk written whole at one place (the usual case): it may join a run. */
function joinable(c: PendingChunk): c is PendingChunk & { places: [ChunkPlace] } {
  return c.places.length === 1 && (c.places[0] as ChunkPlace).to - (c.places[0] as ChunkPlace).from === c.length;
}

/** The leading chunks that land end to end (one write), or the first chunk alone. */
export function takeRun(pending: PendingChunk[]): PendingChunk[] {
  const first = pending[0];
  if (!first || !joinable(first)) return pending.splice(0, 1);
  let end = first.places[0].to;
  let bytes = first.length;
  let buffers = first.parts.length;
  let k = 1;
  for (; k < pending.length; k++) {
    const c = pending[k] as PendingChunk;
    if (!joinable(c) || c.places[0].from !== end || bytes + c.length > MAX_RUN_BYTES || buffers + c.parts.length > MAX_RUN_BUFFERS) break;
    end = c.places[0].to;
    bytes += c.length;
    buffers += c.parts.length;
  }
  return pending.splice(0, k);
}

/**
 * Puts a run from takeRun on disk: end to end in one write, or a lone chunk at each of its places
 * (clipped to the window). Says, per chunk, the spans written and the offsets where it lies whole.
 */
export async function writeRun(fh: FileHandle, run: PendingChunk[]): Promise<{ chunk: PendingChunk; spans: [number, number][]; whole: number[] }[]> {
  const first = run[0];
  if (first && joinable(first) && run.every(joinable)) {
    await writeAll(
      fh,
      run.flatMap((c) => c.parts),
      run.reduce((n, c) => n + c.length, 0),
      first.places[0].at,
    );
    return run.map((chunk) => ({ chunk, spans: [[chunk.places[0].from, chunk.places[0].to]], whole: [chunk.places[0].at] }));
  }
  const out: { chunk: PendingChunk; spans: [number, number][]; whole: number[] }[] = [];
  for (const chunk of run) {
    const { parts, length } = chunk;
    const done = { chunk, spans: [] as [number, number][], whole: [] as number[] };
    for (const w of chunk.places) {
      await writeAll(fh, w.to - w.from === length ? parts : sliceParts(parts, w.from - w.at, w.to - w.at), w.to - w.from, w.from);
      done.spans.push([w.from, w.to]);
      if (w.to - w.from === length) done.whole.push(w.at);
    }
    out.push(done);
  }
  return out;
}

/**
 * One xorb answer's chunk writes. `write` puts a run on disk (and records it); after it, each
 * chunk's `written` runs. Stopped (the signal) or failed, nothing more is written: the first error
 * is what `settled()` rejects with, as a promise chain of one write per chunk did.
 */
export class ChunkWrites {
  readonly #write: (run: PendingChunk[]) => Promise<void>;
  readonly #signal: AbortSignal;
  readonly #pending: PendingChunk[] = [];
  #writes: Promise<void> = Promise.resolve();
  #draining = false;
  #failed = false;
  /** Decoded bytes not yet on disk. */
  queued = 0;

  constructor(write: (run: PendingChunk[]) => Promise<void>, signal: AbortSignal) {
    this.#write = write;
    this.#signal = signal;
  }

  push(chunk: PendingChunk): void {
    if (this.#failed) {
      chunk.release?.();
      return;
    }
    this.#pending.push(chunk);
    this.queued += chunk.length;
    if (this.#draining) return;
    this.#draining = true;
    this.#writes = this.#drain();
    // Handled here; the error itself is thrown where settled() is awaited.
    this.#writes.catch(() => undefined);
  }

  /** A write failed or was stopped: the reader should stop (settled() says why). */
  get failed(): boolean {
    return this.#failed;
  }

  /** Resolves once every chunk pushed so far is on disk; rejects with the first failure. */
  settled(): Promise<void> {
    return this.#writes;
  }

  async #drain(): Promise<void> {
    let run: PendingChunk[] = [];
    try {
      while (this.#pending.length) {
        // Stopped: what is queued is not written.
        this.#signal.throwIfAborted();
        run = takeRun(this.#pending);
        await this.#write(run);
        while (run.length) {
          const c = run.shift() as PendingChunk;
          this.queued -= c.length;
          try {
            c.written();
          } finally {
            c.release?.();
          }
        }
      }
    } catch (error) {
      this.#failed = true;
      for (const c of [...run, ...this.#pending.splice(0)]) c.release?.();
      throw error;
    } finally {
      this.#draining = false;
    }
  }
}
