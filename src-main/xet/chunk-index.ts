/**
 * Which local bytes hold which chunks of which xorb (#25.4, #26.3; docs/hub-protocol.md §3.4,
 * "Delta"). A file's reconstruction is a list of terms, each a run of chunks of one xorb laid end to
 * end in the file; so a local copy of a file whose terms we know holds, at known offsets, every
 * chunk run those terms name. A new file's term (xorb, chunks [a, b)) inside a local term (xorb,
 * [s, e)) is found at:
 *  - the local term's start when a = s (its `unpacked` bytes),
 *  - the local term's end minus the new term's length when b = e,
 *  - otherwise at the sum of the lengths of chunks s..a-1, which only the chunker can say: the
 *    local term's bytes are cut again with the Hub's content-defined chunker (a term starts and
 *    ends at chunk boundaries, so chunking it alone cuts it as the whole file was cut).
 * A file edited in one region is uploaded as prefix and suffix runs of the old xorbs around new
 * chunks, so the first two cases serve almost every update without reading a byte to chunk it.
 * Pure: no files, no network.
 */
import { xetchunk } from './packages';
import type { XetPlan } from './reconstruction';

/** A term placed in its file: chunks [start, end) of `xorb`, `unpacked` bytes from file offset `offset`. */
export interface PlacedTerm {
  xorb: string;
  start: number;
  end: number;
  unpacked: number;
  offset: number;
}

/** The terms of a plan window with the file offset each starts at (the first may start before the window). */
export function placedTerms(plan: XetPlan, windowStart: number): PlacedTerm[] {
  let pos = windowStart - plan.offset;
  return plan.terms.map((t) => {
    const placed = { xorb: t.xorb, start: t.chunks.start, end: t.chunks.end, unpacked: t.unpacked, offset: pos };
    pos += t.unpacked;
    return placed;
  });
}

/**
 * Bytes between the start of local term `src` and chunk `start` for chunks [start, end) of
 * `unpacked` bytes: a number when the ends say it, null when only chunk lengths can (interior),
 * undefined when `src` cannot hold them.
 */
export function skipFor(src: PlacedTerm, start: number, end: number, unpacked: number): number | null | undefined {
  if (start < src.start || end > src.end || start >= end) return undefined;
  if (start === src.start && end === src.end) return unpacked === src.unpacked ? 0 : undefined;
  if (unpacked >= src.unpacked) return undefined;
  if (start === src.start) return 0;
  if (end === src.end) return src.unpacked - unpacked;
  return null;
}

/** The skip of an interior run, from the local term's chunk lengths (undefined when they disagree with the term). */
export function skipFromLengths(src: PlacedTerm, lengths: readonly number[], start: number, end: number, unpacked: number): number | undefined {
  if (lengths.length !== src.end - src.start || lengths.reduce((n, l) => n + l, 0) !== src.unpacked) return undefined;
  let skip = 0;
  for (let i = src.start; i < start; i++) skip += lengths[i - src.start] as number;
  let length = 0;
  for (let i = start; i < end; i++) length += lengths[i - src.start] as number;
  return length === unpacked ? skip : undefined;
}

/** Content-defined chunk lengths of bytes that start and end at chunk boundaries, cut as the Hub cuts them. */
export function chunkLengths(data: Uint8Array): number[] {
  const { createChunker, finalize, nextBlock } = xetchunk();
  const chunker = createChunker();
  const out: number[] = [];
  const step = 8 << 20;
  for (let pos = 0; pos < data.length; pos += step)
    for (const c of nextBlock(chunker, data.subarray(pos, Math.min(data.length, pos + step)))) out.push(c.length);
  const last = finalize(chunker);
  if (last) out.push(last.length);
  return out;
}

export interface ChunkHit<S> {
  source: S;
  term: PlacedTerm;
  /** See skipFor: null when the local term must be chunked to say. */
  skip: number | null;
}

/** Local terms by xorb, across every local source added. */
export class ChunkIndex<S> {
  readonly #byXorb = new Map<string, { source: S; term: PlacedTerm }[]>();

  add(source: S, terms: readonly PlacedTerm[]): void {
    for (const term of terms) {
      const list = this.#byXorb.get(term.xorb) ?? [];
      list.push({ source, term });
      this.#byXorb.set(term.xorb, list);
    }
  }

  remove(source: S): void {
    for (const [xorb, list] of this.#byXorb) {
      const kept = list.filter((e) => e.source !== source);
      if (kept.length) this.#byXorb.set(xorb, kept);
      else this.#byXorb.delete(xorb);
    }
  }

  has(xorb: string): boolean {
    return this.#byXorb.has(xorb);
  }

  /** Local places of chunks [start, end) of `xorb`: those known by their ends first, then those that need chunking. */
  find(xorb: string, start: number, end: number, unpacked: number): ChunkHit<S>[] {
    const hits: ChunkHit<S>[] = [];
    for (const { source, term } of this.#byXorb.get(xorb) ?? []) {
      const skip = skipFor(term, start, end, unpacked);
      if (skip !== undefined) hits.push({ source, term, skip });
    }
    return hits.sort((a, b) => Number(a.skip === null) - Number(b.skip === null));
  }
}
