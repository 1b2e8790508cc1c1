/**
 * Chunks a Xet transfer has already written into its temp file, as the source of a later plan
 * window's repeat of them (#25.4: a repeated xorb range travels once). The plan is asked for in
 * windows (256 MiB), and jobsOf merges the terms that share a range only within one; content that
 * comes back further on (a block repeated, tied weights) names the same xorb chunks again in a
 * later window. Those are copied from where earlier windows wrote them. Every term written is
 * kept with its chunk lengths (as the decoder saw them), so a run is found chunk by chunk: inside
 * one earlier term, or across the pieces of a term that a window edge cut in two.
 */
import type { FileHandle } from 'node:fs/promises';
import { HubError } from '../hub/errors';
import type { PlacedTerm } from '../xet/chunk-index';
import { copyRange } from './copy-range';
import type { Job, Placement } from './xet-jobs';

/**
 * Places kept per chunk run: any one holds the same bytes, so a run repeated thousands of times (a
 * zero tensor cut into equal chunks) is not a list that every later lookup scans.
 */
const PLACES_PER_RUN = 2;

interface Known {
  term: PlacedTerm;
  lengths: readonly number[];
}

/** Where a run of chunks already is in this file: its pieces in order, and each chunk's length. */
export interface WrittenPlace {
  from: { at: number; length: number }[];
  lengths: number[];
}

/** A known term's chunks from chunk c on, up to `to`: where they are and their lengths. */
interface Reach {
  at: number;
  length: number;
  lengths: readonly number[];
  to: number;
}

/** Where a job's term lands in the file, as chunk-index.ts names a placed term. */
const placedTerm = ({ term, start }: Placement): PlacedTerm => ({
  xorb: term.xorb,
  start: term.chunks.start,
  end: term.chunks.end,
  unpacked: term.unpacked,
  offset: start,
});

/** `best`, or the run `k` holds from chunk c if it reaches further and is all on disk. */
function further(best: Reach | null, { term, lengths }: Known, c: number, end: number, written: (from: number, to: number) => boolean): Reach | null {
  if (c < term.start || c >= term.end || (best && term.end <= best.to)) return best;
  const to = Math.min(end, term.end);
  let at = term.offset;
  for (let i = term.start; i < c; i++) at += lengths[i - term.start] as number;
  const run = lengths.slice(c - term.start, to - term.start);
  const length = run.reduce((n, l) => n + l, 0);
  return written(at, at + length) ? { at, length, lengths: run, to } : best;
}

export class WrittenChunks {
  /** Terms written (or being written) into the file, by xorb, then by first chunk. */
  readonly #byXorb = new Map<string, Map<number, Known[]>>();

  /** A term of the file whose chunks have these lengths (its bytes may not all be on disk yet). */
  add(term: PlacedTerm, lengths: readonly number[]): void {
    if (lengths.length !== term.end - term.start || lengths.reduce((n, l) => n + l, 0) !== term.unpacked) return;
    const byStart = this.#byXorb.get(term.xorb) ?? new Map<number, Known[]>();
    this.#byXorb.set(term.xorb, byStart);
    const list = byStart.get(term.start) ?? [];
    byStart.set(term.start, list);
    const same = list.filter((k) => k.term.end === term.end);
    if (same.length < PLACES_PER_RUN && !same.some((k) => k.term.offset === term.offset)) list.push({ term, lengths });
  }

  /**
   * The terms of a window's finished jobs whose every chunk length is known (decoded or taken back
   * from the journal). Returns the bytes written more than once from one range's chunks (a range
   * that served several terms of the window): fetched once, written again from memory.
   */
  learn(jobs: readonly Job[], window: { start: number; end: number }): number {
    let repeated = 0;
    for (const job of jobs) {
      const first = job.range.chunks.start;
      if (job.lengths.length !== job.range.chunks.end - first) continue;
      let placed = 0;
      for (const p of job.placements) {
        const { chunks, unpacked } = p.term;
        this.add(placedTerm(p), job.lengths.slice(chunks.start - first, chunks.end - first));
        placed += Math.max(0, Math.min(p.start + unpacked, window.end) - Math.max(p.start, window.start));
      }
      repeated += Math.max(0, placed - job.lengths.reduce((n, l) => n + l, 0));
    }
    return repeated;
  }

  /**
   * Where this file already holds chunks [start, end) of `xorb` (`unpacked` bytes), every piece
   * of them on disk (`written`); null if any chunk is nowhere. Each step takes the known term that
   * holds the next chunk and reaches furthest.
   */
  locate(xorb: string, start: number, end: number, unpacked: number, written: (from: number, to: number) => boolean): WrittenPlace | null {
    const byStart = this.#byXorb.get(xorb);
    if (!byStart || start >= end) return null;
    const place: WrittenPlace = { from: [], lengths: [] };
    for (let c = start; c < end;) {
      let best: Reach | null = null;
      // Terms that start at this chunk first (a whole repeat); only if none reaches the end, any that holds it.
      for (const k of byStart.get(c) ?? []) best = further(best, k, c, end, written);
      if ((best?.to ?? c) < end) for (const [first, list] of byStart) if (first < c) for (const k of list) best = further(best, k, c, end, written);
      if (!best) return null;
      const last = place.from.at(-1);
      if (last && last.at + last.length === best.at) last.length += best.length;
      else place.from.push({ at: best.at, length: best.length });
      place.lengths.push(...best.lengths);
      c = best.to;
    }
    return place.lengths.reduce((n, l) => n + l, 0) === unpacked ? place : null;
  }
}

/**
 * Takes from `jobs` the fresh ones whose every term the file already holds (`written`: whether
 * bytes [from, to) are on disk): their terms are placed (`onChunk` for each chunk, as a decoded
 * one would be) and recorded as sources for later windows, and their bytes inside the window are
 * copied from where they are, beside the fetches. `onCopied` is told each span once it is on disk;
 * the promise gives the bytes copied.
 */
export function fillFromWritten(
  chunks: WrittenChunks,
  jobs: readonly Job[],
  window: { start: number; end: number },
  fh: FileHandle,
  signal: AbortSignal,
  on: { written(from: number, to: number): boolean; chunk(at: number, length: number): void; copied(from: number, to: number): void },
): Promise<number> {
  const copies: { src: number; from: number; to: number }[] = [];
  for (const job of jobs) {
    if (job.chunk !== job.range.chunks.start || job.consumed !== 0) continue;
    const places = job.placements.map((p) => chunks.locate(p.term.xorb, p.term.chunks.start, p.term.chunks.end, p.term.unpacked, on.written));
    if (places.some((p) => !p)) continue;
    for (const [i, p] of job.placements.entries()) {
      const place = places[i] as WrittenPlace;
      let at = p.start;
      for (const length of place.lengths) {
        on.chunk(at, length);
        at += length;
      }
      p.cursor = p.start + p.term.unpacked;
      chunks.add(placedTerm(p), place.lengths);
      // Each piece lands after the ones before it, clipped to the window.
      let dest = p.start;
      for (const piece of place.from) {
        const from = Math.max(dest, window.start);
        const to = Math.min(dest + piece.length, window.end);
        if (to > from) copies.push({ src: piece.at + (from - dest), from, to });
        dest += piece.length;
      }
    }
    job.chunk = job.range.chunks.end;
  }
  const copied = (async () => {
    let total = 0;
    for (const c of copies) {
      await copyRange(fh, c.src, fh, c.from, c.to - c.from, {
        signal,
        shortRead: (at) => new HubError('INTEGRITY', `The partial download ended at ${at} bytes while a repeated range was copied from it.`),
      });
      on.copied(c.from, c.to);
      total += c.to - c.from;
    }
    return total;
  })();
  // Awaited by the caller with its fetches; a failure here must not go unhandled meanwhile.
  copied.catch(() => undefined);
  return copied;
}
