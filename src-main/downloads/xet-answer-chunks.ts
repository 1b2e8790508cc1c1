/**
 * One xorb answer's chunks, from its bytes to the disk: cut per range as they arrive (ChunkFramer),
 * decoded here or in batches by a decode worker (xet/decode-pool.ts), then placed and written in
 * the order they came. A chunk is placed (its range moved past it) only as it goes to the disk: one
 * a worker never answered for is fetched again from the range's last written chunk.
 */
import { ChunkFramer, releaseFramed, type DecodedChunk, type FramedChunk } from '../xet/chunk-format';
import { decodeFramedIn, LazyArena } from '../xet/decode-arena';
import { sharedDecodePool, type ChunkDecoder, type DecodePool, type HashedChunk } from '../xet/decode-pool';
import { WORKER_HASH_THRESHOLD } from './hasher';
import type { ChunkWrites } from './xet-chunk-writes';

/**
 * Decoded bytes one xorb answer may have waiting for the disk or a decode worker. 4 MiB before the
 * workers; with them, 2 MiB kept a 1 GiB byte-grouped download's peak RSS at 244–254 MB instead
 * of 261–295, no slower, and raw chunks no slower either. Once the chunks decoded faster (wasm
 * regrouping), 1 MiB took the peak from 239–252 MB to 232–243, again no slower (docs/performance.md).
 */
const WRITE_AHEAD = 1 << 20;
/**
 * Stored bytes of compressed chunks sent to a decode worker at once: one message per ~4 chunks.
 * A batch also goes once it decodes to half the write-ahead, so that text compressed 4× or more
 * still has a batch decoding while the one before it is written.
 */
const DECODE_BATCH = 256 << 10;
const DECODE_BATCH_DECODED = WRITE_AHEAD / 2;

/** The smallest file that starts the decode workers; a smaller one (from 32 MiB) uses them once they run. */
const DECODE_WORKERS_START_FROM = 128 << 20;

/**
 * Who decodes a file's compressed chunks: the shared workers where hashing goes off the thread
 * too, once they run or for a file large enough to pay for starting them (~60 ms, against ~90 ms
 * of decoding here per 64 MiB; docs/performance.md); else this thread (null).
 */
export function decoderFor(
  size: number,
  offThread: boolean,
  pool: () => (Pick<DecodePool, 'workers'> & ChunkDecoder) | null = sharedDecodePool,
): ChunkDecoder | null {
  const shared = offThread && size >= WORKER_HASH_THRESHOLD ? pool() : null;
  return shared && (shared.workers > 0 || size >= DECODE_WORKERS_START_FROM) ? shared : null;
}

/**
 * Where chunks decoded on the download's thread go, shared by its answers (~1 MiB each in flight):
 * fresh buffers per chunk had V8 collect the old generation for their sake (decode-arena.ts). Not
 * shared: no other thread reads it, and V8 copies into shared memory a byte at a time wherever the
 * source's address and the target's disagree mod 8 (~3.5x slower than memcpy).
 */
const inlineArena = new LazyArena(16 << 20, 5000, undefined, 'private');

/** Bytes of the inline arena held by chunks not yet released (tests). */
export const inlineArenaInUse = (): number => inlineArena.inUse;

export class AnswerChunks {
  readonly #framers: ChunkFramer[];
  readonly #decoder: ChunkDecoder | null;
  readonly #place: (range: number, chunk: DecodedChunk | HashedChunk) => void;
  readonly #writes: ChunkWrites;
  /** Bytes pushed per range. */
  readonly fed: number[];
  #batch: { range: number; frame: FramedChunk }[] = [];
  #batchBytes = 0;
  #batchDecoded = 0;
  /** Every batch sent, placed in turn: settles once the last is. */
  #decoded: Promise<void> = Promise.resolve();
  /** Decoded bytes sent and not yet placed. */
  #decoding = 0;
  #failed = false;

  constructor(ranges: number, decoder: ChunkDecoder | null, writes: ChunkWrites, place: (range: number, chunk: DecodedChunk | HashedChunk) => void) {
    this.#framers = Array.from({ length: ranges }, () => new ChunkFramer());
    this.fed = this.#framers.map(() => 0);
    this.#decoder = decoder;
    this.#writes = writes;
    this.#place = place;
  }

  /** The framer of range `i` (its end() says whether the body stopped inside a chunk). */
  framer(i: number): ChunkFramer {
    return this.#framers[i] as ChunkFramer;
  }

  /** Bytes of range `i`; waits while WRITE_AHEAD bytes are behind, and throws what failed behind. */
  async feed(i: number, data: Buffer): Promise<void> {
    this.fed[i] = (this.fed[i] as number) + data.length;
    const frames = this.framer(i).push(data);
    let k = 0;
    try {
      for (; k < frames.length; k++) {
        const frame = frames[k] as FramedChunk;
        // Stored chunks need no decoding: placed at once unless chunks before them are still decoding.
        if (!this.#decoder || (frame.header.scheme === 0 && this.#decoding === 0 && !this.#batch.length && !this.#failed)) {
          const chunk = decodeFramedIn(inlineArena, frame);
          try {
            this.#place(i, chunk);
          } catch (error) {
            chunk.release?.();
            throw error;
          }
        } else {
          this.#batch.push({ range: i, frame });
          this.#batchBytes += frame.bytes;
          this.#batchDecoded += frame.header.uncompressedLength;
          if (this.#batchBytes >= DECODE_BATCH || this.#batchDecoded >= DECODE_BATCH_DECODED) this.#flush(this.#decoder);
        }
        if (this.#decoding + this.#writes.queued >= WRITE_AHEAD || this.#writes.failed || this.#failed) await this.drained();
      }
    } catch (error) {
      // The chunks after the one that failed go nowhere: their read slabs go back.
      for (const f of frames.slice(k + 1)) releaseFramed(f);
      throw error;
    }
  }

  /** The answer is over, whichever way: what the framers and the unsent batch still hold of its read slabs goes back. */
  dispose(): void {
    for (const f of this.#framers) f.release();
    for (const b of this.#batch) releaseFramed(b.frame);
    this.#batch = [];
  }

  /**
   * Every chunk pushed so far is decoded, placed and on disk, or the first failure: a write's, then
   * a decode's. Whatever was placed is on disk before this settles, failure or not, so a retry
   * resumes at a range's last written chunk.
   */
  async drained(): Promise<void> {
    if (this.#decoder) this.#flush(this.#decoder);
    const decodeError: unknown = await this.#decoded.then(
      () => null,
      (e: unknown) => e ?? new Error('a decode failed'),
    );
    await this.#writes.settled();
    if (decodeError) throw decodeError;
  }

  #flush(decoder: ChunkDecoder): void {
    const mine = this.#batch;
    if (!mine.length) return;
    const bytes = mine.reduce((n, b) => n + b.frame.header.uncompressedLength, 0);
    const answer = decoder.decode(mine.map((b) => b.frame));
    // A batch that fails never reaches its stored chunks' releases (the compressed ones were given back once copied).
    answer.catch(() => mine.forEach((b) => releaseFramed(b.frame)));
    this.#batch = [];
    this.#batchBytes = 0;
    this.#batchDecoded = 0;
    this.#decoding += bytes;
    const ranges = mine.map((b) => b.range);
    this.#decoded = this.#decoded.then(
      async () => {
        const chunks = await answer;
        let k = 0;
        try {
          for (; k < chunks.length; k++) this.#place(ranges[k] as number, chunks[k] as HashedChunk);
        } catch (error) {
          // The chunk that failed to place and those after it go nowhere: their bytes are given back.
          for (const c of chunks.slice(k)) c.release?.();
          throw error;
        }
        // Only once the whole batch is placed: a chunk that failed to place leaves the ones after it unplaced.
        this.#decoding -= bytes;
      },
      (error: unknown) => {
        // A batch before this one failed: this one is never placed, and its bytes are given back.
        void answer.then(
          (chunks) => chunks.forEach((c) => c.release?.()),
          () => undefined,
        );
        throw error;
      },
    );
    this.#decoded.catch(() => (this.#failed = true));
  }
}
