/**
 * Which bytes of a partial download are on disk, for downloads written by several connections at
 * their offsets (a file with holes): kept beside the partial as `<partial stem>.ranges.incomplete`
 * so it survives `kill -9`, and so `hf cache prune` (which deletes `*.incomplete`) takes it with
 * the partial. A partial without one holds a contiguous prefix (ours from one stream, Python's).
 * Only bytes whose write returned are recorded, so after a crash of the process the record never
 * claims more than the file holds; a power cut may lose written pages, which the hash before the
 * rename catches (the file is then fetched again).
 */
import fs from 'node:fs';
import { CACHE_NAMES } from '../cache/layout';
import { readUntrusted, replaceFile, replaceFileSync } from '../base/untrusted-file';

export const INCOMPLETE_SUFFIX = CACHE_NAMES.incomplete;

/** Sorted, disjoint, non-adjacent [start, end) spans of done bytes. */
export class SpanSet {
  #spans: [number, number][] = [];

  constructor(spans: readonly (readonly [number, number])[] = []) {
    for (const [a, b] of spans) this.add(a, b);
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    const out: [number, number][] = [];
    let s = start;
    let e = end;
    let placed = false;
    for (const [a, b] of this.#spans) {
      if (b < s) out.push([a, b]);
      else if (a > e) {
        if (!placed) out.push([s, e]);
        placed = true;
        out.push([a, b]);
      } else {
        s = Math.min(s, a);
        e = Math.max(e, b);
      }
    }
    if (!placed) out.push([s, e]);
    this.#spans = out;
  }

  /** Bytes [0, n) are all done. */
  prefix(): number {
    const first = this.#spans[0];
    return first && first[0] === 0 ? first[1] : 0;
  }

  total(): number {
    return this.#spans.reduce((n, [a, b]) => n + b - a, 0);
  }

  /** Is byte `at` done? */
  has(at: number): boolean {
    return this.#spans.some(([a, b]) => at >= a && at < b);
  }

  /** The first not-done span at or after `from`, below `limit`. */
  gapAt(from: number, limit: number): [number, number] | null {
    let pos = from;
    for (const [a, b] of this.#spans) {
      if (b <= pos) continue;
      if (a > pos) return [pos, Math.min(a, limit)];
      pos = b;
    }
    return pos < limit ? [pos, limit] : null;
  }

  spans(): [number, number][] {
    return this.#spans.map(([a, b]) => [a, b]);
  }
}

/** `blobs/<etag>.<hex>.incomplete` → `blobs/<etag>.<hex>.ranges.incomplete`. */
export function rangesPathOf(partialPath: string): string {
  return `${partialPath.slice(0, -INCOMPLETE_SUFFIX.length)}.ranges${INCOMPLETE_SUFFIX}`;
}

/** A record's temp file while it is rewritten (`….ranges.next.incomplete`): renamed over the record, so a crash leaves the old one whole; `hf cache prune` takes it with the partial. */
export function recordTempPathOf(recordPath: string): string {
  return `${recordPath.slice(0, -INCOMPLETE_SUFFIX.length)}.next${INCOMPLETE_SUFFIX}`;
}

const MAX_SPANS = 100_000;

/**
 * The done spans recorded for a partial of `size` bytes: null when there is no record (the
 * partial is a prefix), `[]` when the record is unreadable or impossible (nothing is trusted).
 */
export async function readRanges(partialPath: string, size: number): Promise<[number, number][] | null> {
  let text: string;
  try {
    // Beside the partial in the shared cache: bounded, and a FIFO there is refused, not waited on.
    text = (await readUntrusted(rangesPathOf(partialPath), 4 << 20)).toString('utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : [];
  }
  try {
    const parsed = JSON.parse(text) as { v?: unknown; size?: unknown; done?: unknown };
    if (parsed.v !== 1 || parsed.size !== size || !Array.isArray(parsed.done) || parsed.done.length > MAX_SPANS) return [];
    const spans: [number, number][] = [];
    for (const s of parsed.done as unknown[]) {
      if (!Array.isArray(s) || s.length !== 2) return [];
      const [a, b] = s as unknown[];
      if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || (a as number) < 0 || (b as number) > size || (a as number) >= (b as number)) return [];
      spans.push([a as number, b as number]);
    }
    return new SpanSet(spans).spans();
  } catch {
    return [];
  }
}

/**
 * Writes the record atomically (a temp file renamed over it): a crash mid-write leaves the
 * previous record, never a torn one. Saves are serialized, the latest wins.
 */
export class RangesRecord {
  readonly #path: string;
  readonly #size: number;
  #chain: Promise<void> = Promise.resolve();
  #pending: [number, number][] | null = null;

  constructor(partialPath: string, size: number) {
    this.#path = rangesPathOf(partialPath);
    this.#size = size;
  }

  get path(): string {
    return this.#path;
  }

  /** The first record, written before any byte lands past the prefix (so a crash can never leave holes unrecorded). */
  saveSync(spans: [number, number][]): void {
    replaceFileSync(this.#path, JSON.stringify({ v: 1, size: this.#size, done: spans }), recordTempPathOf(this.#path));
  }

  save(spans: [number, number][]): Promise<void> {
    const first = this.#pending === null;
    this.#pending = spans;
    if (!first) return this.#chain;
    this.#chain = this.#chain.then(async () => {
      const done = this.#pending ?? [];
      this.#pending = null;
      await replaceFile(this.#path, JSON.stringify({ v: 1, size: this.#size, done }), recordTempPathOf(this.#path));
    });
    return this.#chain;
  }

  async remove(): Promise<void> {
    await this.#chain.catch(() => undefined);
    await fs.promises.rm(this.#path, { force: true });
  }
}
