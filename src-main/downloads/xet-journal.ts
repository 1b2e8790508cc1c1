/**
 * What a Xet partial already holds, by terms and chunks rather than bytes alone (#25 point 3): for
 * each xorb range of each plan window, how many of its chunks are written, the bytes they took in
 * the xorb (where a resume starts) and their lengths (where their terms' next bytes land, and which
 * bytes to hash again for the Xet file hash). It lives in the partial's ranges record, beside the
 * done spans the classic road reads (which ignores the `xet` field), so claimPartial moves it with
 * the partial and a classic resume still finds valid spans. Saved atomically (a temp file renamed
 * over it), from what is written when the save starts, every 0.1 % of the file (32 KiB to 1 MiB)
 * or 200 ms: a kill -9 loses at most that much and one save's time. Saves after the first run on
 * libuv's threads, one at a time, the latest state winning (as the classic RangesRecord): done
 * synchronously, the ~80 saves of a 64 MiB loopback download took ~50 ms of its main thread, the
 * one that parses and writes every chunk. Whoever removes or moves the record awaits `settled()`.
 *
 * Each save writes the whole record, which grows with the file (~2.4 MB for 20 GiB), so a large
 * file saves less often: once 50 times the last record's size has moved (never more than 0.5 % of
 * the file), and a range's part of the record is built again only when that range moved. Saving
 * every MiB, a 2 GiB download serialized 10 % of its size in JSON on the main thread (1.9 % now),
 * and the share grew with the file: about its whole size at 20 GiB.
 */
import { readUntrusted, replaceFile, replaceFileSync } from '../base/untrusted-file';
import { rangesPathOf, recordTempPathOf } from './range-state';

export interface RangeProgress {
  /** Chunks of the range written, the xorb bytes they took, and each one's length. */
  n: number;
  k: number;
  l: number[];
}

interface RecordFile {
  v: 1;
  size: number;
  done: [number, number][];
  xet?: { hash: string; ranges: Record<string, RangeProgress> };
}

const MAX_RECORD_BYTES = 64 << 20;
/** A save waits for this many times the last record's size to move… */
const MOVED_PER_RECORD_BYTE = 50;
/** …but never for more than this share of the file (a kill -9 must lose under 1 %). */
const MAX_UNSAVED_SHARE = 0.005;
/** Saves by time alone write at most this many record bytes a millisecond (10 MB/s). */
const TIMED_BYTES_PER_MS = 10_000;

/** What the journal has saved (tests, and the cost of its saves). */
export interface JournalStats {
  /** Records serialized, and their total length in characters. */
  saves: number;
  serialized: number;
  /** The last record's length. */
  lastBytes: number;
  /** Bytes written when the last save was asked. */
  savedBytes: number;
}

function isProgress(v: unknown): v is RangeProgress {
  const p = v as RangeProgress;
  return (
    typeof p === 'object' &&
    p !== null &&
    Number.isSafeInteger(p.n) &&
    p.n >= 0 &&
    Number.isSafeInteger(p.k) &&
    p.k >= 0 &&
    Array.isArray(p.l) &&
    p.l.length === p.n &&
    p.l.every((x) => Number.isSafeInteger(x) && x > 0 && x <= 1 << 17)
  );
}

/** The Xet progress recorded beside a partial for this file, or nothing (unreadable, another file, none). */
export async function readXetProgress(partialPath: string, size: number, xetHash: string): Promise<Map<string, RangeProgress>> {
  const out = new Map<string, RangeProgress>();
  try {
    const parsed = JSON.parse((await readUntrusted(rangesPathOf(partialPath), MAX_RECORD_BYTES)).toString('utf8')) as Partial<RecordFile>;
    if (parsed.v !== 1 || parsed.size !== size || parsed.xet?.hash !== xetHash || typeof parsed.xet.ranges !== 'object') return out;
    for (const [key, p] of Object.entries(parsed.xet.ranges)) if (key.length < 300 && isProgress(p)) out.set(key, p);
  } catch {
    // no record, or one that cannot be trusted: nothing is resumed
  }
  return out;
}

export class XetJournal {
  readonly #path: string;
  readonly #size: number;
  readonly #hash: string;
  /** Per range: chunks and xorb bytes at the last consistent point, and its (growing) list of lengths. */
  readonly #ranges = new Map<string, { n: number; k: number; lengths: number[] }>();
  /** Each range's part of the record as last serialized, and the point it was at. */
  readonly #parts = new Map<string, { n: number; k: number; text: string }>();
  readonly #every: number;
  #savedAt = 0;
  #savedBytes = 0;
  #saves = 0;
  #serialized = 0;
  #lastBytes = 0;
  /** The save in flight, and the spans of what is written for the next one (null: none asked). */
  #saving: Promise<void> | null = null;
  #next: (() => [number, number][]) | null = null;

  constructor(partialPath: string, size: number, xetHash: string) {
    this.#path = rangesPathOf(partialPath);
    this.#size = size;
    this.#hash = xetHash;
    this.#every = Math.min(1 << 20, Math.max(32 << 10, Math.floor(size / 1000)));
  }

  /**
   * A range's first `n` chunks (taking `k` xorb bytes) are written; `lengths` is the range's own list
   * (read up to `n` when saved, so it is not copied per chunk). Saved when enough has moved.
   */
  progress(key: string, n: number, k: number, lengths: number[], done: () => [number, number][], total: number): void {
    this.#ranges.set(key, { n, k, lengths });
    const now = Date.now();
    // At most 100 saves a second (each a write and rename), as the classic record: a kill loses at
    // most `every` (for a large file, the record's share) or 10 ms of bytes, whichever is more.
    const due = Math.max(this.#every, Math.min(MOVED_PER_RECORD_BYTE * this.#lastBytes, this.#size * MAX_UNSAVED_SHARE));
    const quiet = Math.max(200, this.#lastBytes / TIMED_BYTES_PER_MS);
    if ((total - this.#savedBytes >= due && now - this.#savedAt >= 10) || now - this.#savedAt > quiet || total === this.#size) {
      this.#savedBytes = total;
      this.#savedAt = now;
      this.#next = done;
      this.#saving ??= this.#drain();
    }
  }

  async #drain(): Promise<void> {
    for (let done = this.#next; done; done = this.#next) {
      this.#next = null;
      try {
        await replaceFile(this.#path, this.#body(done()), recordTempPathOf(this.#path));
      } catch {
        // a failed save loses only progress since the last one; writes report disk errors themselves
      }
    }
    this.#saving = null;
  }

  /** Saves what is recorded now, whatever moved since the last save (a transfer that stopped or failed keeps it all). */
  flush(done: () => [number, number][]): void {
    this.#savedAt = Date.now();
    this.#next = done;
    this.#saving ??= this.#drain();
  }

  /** Resolves once no save is in flight or asked for (before the record is removed, moved or read). */
  async settled(): Promise<void> {
    while (this.#saving) await this.#saving;
  }

  /** Writes the record now, synchronously (the first one, before any byte lands out of order). */
  save(done: [number, number][]): void {
    try {
      replaceFileSync(this.#path, this.#body(done), recordTempPathOf(this.#path));
    } catch {
      // a failed save loses only progress since the last one; writes report disk errors themselves
    }
  }

  /** What has been saved so far. */
  get stats(): JournalStats {
    return { saves: this.#saves, serialized: this.#serialized, lastBytes: this.#lastBytes, savedBytes: this.#savedBytes };
  }

  /** The record: RecordFile as JSON, each range's part reused while that range has not moved. */
  #body(done: [number, number][]): string {
    const parts: string[] = [];
    for (const [key, r] of this.#ranges) {
      let part = this.#parts.get(key);
      if (!part || part.n !== r.n || part.k !== r.k) {
        const progress: RangeProgress = { n: r.n, k: r.k, l: r.lengths.slice(0, r.n) };
        part = { n: r.n, k: r.k, text: `${JSON.stringify(key)}:${JSON.stringify(progress)}` };
        this.#parts.set(key, part);
      }
      parts.push(part.text);
    }
    const head: Omit<RecordFile, 'xet'> = { v: 1, size: this.#size, done };
    // RecordFile as JSON.stringify writes it: the head's closing brace gives way to the xet field.
    const text = `${JSON.stringify(head).slice(0, -1)},"xet":{"hash":${JSON.stringify(this.#hash)},"ranges":{${parts.join(',')}}}}`;
    this.#saves += 1;
    this.#serialized += text.length;
    this.#lastBytes = text.length;
    return text;
  }
}
