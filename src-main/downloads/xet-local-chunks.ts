/**
 * Chunks a Xet download can take from this machine instead of the CAS (#25.4, #26.3; the recipe in
 * docs/hub-protocol.md §3.4): every local Xet file whose reconstruction we know (xet-chunk-records.ts)
 * is indexed by xorb, and a term of the new file found in one is read from it. Files we did not
 * download (Python's, older revisions) are learned on first need: the same path in this repo's other
 * cached revisions, its Xet hash from the `trees/` record or the shared store's link, its terms from
 * the CAS. A local file is a source only while it matches its sha256 (hashed once per inode by
 * cache/payload-hash.ts) and is the very file that was hashed when opened (device, inode, size,
 * mtime); one that no longer matches gives nothing and is named in `stale` (#26.6). The end-to-end
 * sha256 of the new file still decides: after a failure with reused bytes the caller fetches again
 * with this provider distrusted, so nothing from it is used twice.
 */
import type { FileHandle } from 'node:fs/promises';
import fs from 'node:fs';
import path from 'node:path';
import { lstatUntrusted, openUntrusted } from '../base/untrusted-file';
import { blobPath, snapshotFilePath, snapshotsDir } from '../cache/layout';
import { sha256Once } from '../cache/payload-hash';
import { linkedPayload } from '../cache/shared-store';
import { readTreeRecord, treeRecordPath } from '../cache/tree-record';
import { SHA256_RE } from '../hub/blob-id';
import { COMMIT_RE } from '../hub/repo-id';
import { HubError } from '../hub/errors';
import type { CasClient } from '../xet/cas-client';
import { ChunkIndex, chunkLengths, placedTerms, skipFromLengths, type ChunkHit, type PlacedTerm } from '../xet/chunk-index';
import { copyRange } from './copy-range';
import { allChunkRecords, chunkRecord, dropChunkRecord, saveChunkRecord, type ChunkRecord } from './xet-chunk-records';

/** Bytes of the file one reconstruction request covers when learning an old file (hf_xet's window). */
const LEARN_WINDOW = 256 << 20;
/** Old revisions of the same path learned from the CAS per download, newest first. */
const MAX_LEARNED = 8;
/** A local term chunked again to find an interior run is read whole: at most this much. */
const MAX_CHUNKED_TERM = 256 << 20;

export interface LocalChunksOptions {
  /** The cache's folder of the repo the new file is downloaded into (its other revisions are looked at), if any. */
  repoDir?: string;
  /** Where the new file will be once verified (recorded for the next update), if anywhere lasting. */
  landsAt?: string;
  /** The new file: its path in the repo, hashes and size. */
  repoPath?: string;
  sha256: string;
  xetHash: string;
  size: number;
  /** Whether a local file still holds `sha256` (default: cache/payload-hash's sha256Once). Tests put a file changed under us here. */
  verify?: (file: string, sha256: string, signal: AbortSignal) => Promise<boolean>;
}

export interface LocalSource {
  rec: ChunkRecord;
  state: 'unchecked' | 'good' | 'gone' | 'stale' | 'distrusted';
  check?: Promise<boolean>;
  fh?: FileHandle;
  path?: string;
  lengths: Map<number, number[] | null>;
}

export interface LocalPlace {
  source: LocalSource;
  /** Where the run's first byte is in the local file. */
  at: number;
}

/** A file of this repo's other revisions that may share chunks with the new one. */
interface Candidate {
  sha256: string;
  xetHash: string;
  size: number;
  blob: string;
}

const sameIdentity = (a: fs.Stats, b: fs.Stats) => a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;

export class LocalChunks {
  readonly #o: LocalChunksOptions;
  readonly #index = new ChunkIndex<LocalSource>();
  readonly #sources = new Map<string, LocalSource>();
  readonly #used = new Set<LocalSource>();
  #prepared: Promise<void> | null = null;
  /** Local copies that no longer match their sha256: nothing was taken from them. */
  readonly stale: string[] = [];
  /** Bytes written from local files so far. */
  reused = 0;

  constructor(opts: LocalChunksOptions) {
    this.#o = opts;
  }

  /** Indexes what is known, and learns this path's other cached revisions from the CAS (once). */
  prepare(cas: CasClient | null, signal: AbortSignal): Promise<void> {
    this.#prepared ??= this.#prepare(cas, signal).catch(() => undefined);
    return this.#prepared;
  }

  async #prepare(cas: CasClient | null, signal: AbortSignal): Promise<void> {
    const learned: ChunkRecord[] = [];
    for (const c of this.#candidates()) {
      const known = chunkRecord(c.xetHash);
      if (known?.sha256 === c.sha256) {
        learned.push(known.paths.includes(c.blob) ? known : saveChunkRecord(known, c.blob));
        continue;
      }
      if (!cas || learned.length >= MAX_LEARNED || signal.aborted) continue;
      try {
        learned.push(saveChunkRecord({ xetHash: c.xetHash, sha256: c.sha256, size: c.size, terms: await termsFromCas(cas, c, signal) }, c.blob));
      } catch {
        // the CAS cannot say: nothing reused from this one
      }
    }
    for (const rec of [...learned, ...allChunkRecords()]) this.#add(rec);
  }

  #add(rec: ChunkRecord): void {
    // The same Xet file elsewhere is a source too (the file being written is never recorded before it is verified).
    if (this.#sources.has(rec.xetHash)) return;
    const source: LocalSource = { rec, state: 'unchecked', lengths: new Map() };
    this.#sources.set(rec.xetHash, source);
    this.#index.add(source, rec.terms);
  }

  /** The same path in this repo's other cached revisions, Xet files with a known Xet hash. */
  #candidates(): Candidate[] {
    const { repoPath, repoDir } = this.#o;
    if (!repoPath || !repoDir) return [];
    let commits: fs.Dirent[] = [];
    try {
      commits = fs.readdirSync(snapshotsDir(repoDir), { withFileTypes: true });
    } catch {
      return [];
    }
    const found: (Candidate & { mtime: number })[] = [];
    for (const d of commits.slice(0, 256)) {
      if (!d.isDirectory() || !COMMIT_RE.test(d.name)) continue;
      const c = candidateAt(repoDir, d.name, repoPath);
      if (c && c.sha256 !== this.#o.sha256 && !found.some((f) => f.xetHash === c.xetHash)) found.push(c);
    }
    return found.sort((a, b) => b.mtime - a.mtime);
  }

  /** Where chunks [start, end) of `xorb` (`unpacked` bytes) lie in a local file that checks out, or null. */
  async locate(xorb: string, start: number, end: number, unpacked: number, signal: AbortSignal): Promise<LocalPlace | null> {
    if (!this.#index.has(xorb)) return null;
    for (const hit of this.#index.find(xorb, start, end, unpacked)) {
      if (!(await this.#usable(hit.source, signal))) continue;
      const skip = hit.skip ?? (await this.#interior(hit, start, end, unpacked));
      if (skip === undefined) continue;
      return { source: hit.source, at: hit.term.offset + skip };
    }
    return null;
  }

  /** Copies `length` bytes of a local run, from `into` bytes past its start, to `dest` at `destAt`. */
  async copy(place: LocalPlace, into: number, length: number, dest: FileHandle, destAt: number): Promise<void> {
    const fh = place.source.fh;
    if (!fh) throw new Error('a local source was used before it was opened');
    this.#used.add(place.source);
    // A local file shorter than its record: its bytes are not what we hashed. The caller's sha256 fails and refetches.
    await copyRange(fh, place.at + into, dest, destAt, length, { shortRead: () => new Error(`${place.source.path ?? 'a local file'} ended early`) });
    this.reused += length;
  }

  /** After the new file failed its check with local bytes in it: trust none of them again, and relearn their terms. */
  distrust(): void {
    for (const s of this.#used) {
      s.state = 'distrusted';
      dropChunkRecord(s.rec.xetHash);
    }
    this.#used.clear();
    this.reused = 0;
  }

  /** Bytes were used: whether the caller must distrust them when the file fails. */
  get used(): boolean {
    return this.#used.size > 0;
  }

  /** Records the new file's terms once it is verified, for the next update. */
  learned(terms: PlacedTerm[]): void {
    if (this.#o.landsAt) saveChunkRecord({ xetHash: this.#o.xetHash, sha256: this.#o.sha256, size: this.#o.size, terms }, this.#o.landsAt);
  }

  async close(): Promise<void> {
    for (const s of this.#sources.values()) await s.fh?.close().catch(() => undefined);
  }

  #usable(s: LocalSource, signal: AbortSignal): Promise<boolean> {
    if (s.state === 'good') return Promise.resolve(true);
    if (s.state !== 'unchecked') return Promise.resolve(false);
    s.check ??= this.#check(s, signal).catch(() => false);
    return s.check;
  }

  /** Finds a copy of the record's file that matches its sha256 now, and keeps it open. */
  async #check(s: LocalSource, signal: AbortSignal): Promise<boolean> {
    for (const p of s.rec.paths) {
      const real = await realSource(p).catch(() => null);
      if (!real) continue;
      const before = await fs.promises.stat(real).catch(() => null);
      if (!before?.isFile() || before.size !== s.rec.size) continue;
      const verify = this.#o.verify ?? ((f: string, sha: string, sig: AbortSignal) => sha256Once(f, { signal: sig }).then((d) => d === sha));
      const right = await verify(real, s.rec.sha256, signal).catch(() => false);
      const opened = right ? await openUntrusted(real).catch(() => null) : null;
      if (opened && sameIdentity(before, opened.stat)) {
        s.fh = opened.fh;
        s.path = p;
        s.state = 'good';
        return true;
      }
      await opened?.fh.close().catch(() => undefined);
      if (signal.aborted) return false;
      this.stale.push(p);
      s.state = 'stale';
      this.#index.remove(s);
      return false;
    }
    s.state = 'gone';
    return false;
  }

  /** The skip of an interior run: the local term cut again by the chunker (cached per term). */
  async #interior(hit: ChunkHit<LocalSource>, start: number, end: number, unpacked: number): Promise<number | undefined> {
    const s = hit.source;
    let lengths = s.lengths.get(hit.term.offset);
    if (lengths === undefined) {
      lengths = null;
      if (s.fh && hit.term.unpacked <= MAX_CHUNKED_TERM) {
        const buf = Buffer.allocUnsafe(hit.term.unpacked);
        const { bytesRead } = await s.fh.read(buf, 0, buf.length, hit.term.offset);
        if (bytesRead === buf.length) lengths = chunkLengths(buf);
      }
      s.lengths.set(hit.term.offset, lengths);
    }
    return lengths ? skipFromLengths(hit.term, lengths, start, end, unpacked) : undefined;
  }
}

const trees = new Map<string, { mtimeMs: number; files: ReturnType<typeof readTreeRecord> }>();

/** A commit's `trees/` record, parsed once per process while unchanged (every file of a big repo asks for it). */
function treeOf(repoDir: string, commit: string): ReturnType<typeof readTreeRecord> {
  const key = path.join(repoDir, commit);
  const mtimeMs = fs.statSync(treeRecordPath(repoDir, commit), { throwIfNoEntry: false })?.mtimeMs ?? -1;
  const known = trees.get(key);
  if (known?.mtimeMs === mtimeMs) return known.files;
  const files = mtimeMs < 0 ? null : readTreeRecord(repoDir, commit);
  if (trees.size >= 32) trees.delete(trees.keys().next().value as string);
  trees.set(key, { mtimeMs, files });
  return files;
}

/** The file at `repoPath` in one cached revision, when it is a Xet file whose Xet hash the cache knows. */
function candidateAt(repoDir: string, commit: string, repoPath: string): (Candidate & { mtime: number }) | null {
  try {
    const snap = snapshotFilePath(repoDir, commit, repoPath);
    const entry = treeOf(repoDir, commit)?.get(repoPath);
    const link = fs.lstatSync(snap);
    const sha256 = entry?.lfs ? entry.etag : link.isSymbolicLink() ? path.basename(fs.readlinkSync(snap)) : null;
    if (!sha256 || !SHA256_RE.test(sha256)) return null;
    const blob = blobPath(repoDir, sha256);
    const payload = linkedPayload(path.dirname(repoDir), blob);
    const xetHash = entry?.xetHash ?? (payload ? path.basename(payload) : null);
    const st = fs.statSync(blob);
    if (!xetHash || !st.isFile()) return null;
    return { sha256, xetHash, size: st.size, blob, mtime: link.mtimeMs };
  } catch {
    return null;
  }
}

/**
 * The regular file a recorded path holds: itself, or where its link leads when that stays in the
 * same cache (a repo blob linked into the shared store).
 */
async function realSource(p: string): Promise<string | null> {
  const st = await lstatUntrusted(p);
  if (!st) return null;
  if (st.isFile()) return p;
  if (!st.isSymbolicLink()) return null;
  const { realPath, fh } = await openUntrusted(p, { root: path.resolve(p, '..', '..', '..'), followLinks: true });
  await fh.close();
  return realPath;
}

/** An old file's terms, placed, from its reconstruction on the CAS (window by window, as a download asks). */
async function termsFromCas(cas: CasClient, c: Candidate, signal: AbortSignal): Promise<PlacedTerm[]> {
  const terms: PlacedTerm[] = [];
  for (let start = 0; start < c.size; start += LEARN_WINDOW) {
    const plan = await cas.plan(c.xetHash, { start, end: Math.min(c.size, start + LEARN_WINDOW) }, c.size, signal);
    terms.push(...placedTerms(plan, start));
  }
  return terms;
}

/** What fillFromLocal needs of a transfer's range job (downloads/xet-transfer.ts). */
export interface LocalFillJob {
  range: { chunks: { start: number; end: number } };
  chunk: number;
  consumed: number;
  placements: { term: { xorb: string; chunks: { start: number; end: number }; unpacked: number }; cursor: number }[];
}

/**
 * Takes from local files every job of a plan window whose terms are all found locally, and marks it
 * done (nothing left to fetch); a job with any term missing is left whole to the network (its byte
 * range cannot be cut at chunks the plan does not place), and so is a job an earlier run began
 * (its journal says where to resume). Resolves once the jobs are marked; `copied` resolves with
 * the bytes written, clipped to the window, so the copy runs while the rest is fetched. A local
 * file that fails to read is a failed check of the new file (INTEGRITY): the caller refetches.
 */
export async function fillFromLocal(
  local: LocalChunks | undefined,
  jobs: LocalFillJob[],
  window: { start: number; end: number },
  dest: FileHandle,
  signal: AbortSignal,
  onWritten: (from: number, to: number) => void,
): Promise<{ copied: Promise<number> }> {
  if (!local) return { copied: Promise.resolve(0) };
  const copies: { place: LocalPlace; into: number; from: number; to: number }[] = [];
  for (const job of jobs) {
    if (job.chunk !== job.range.chunks.start || job.consumed !== 0) continue;
    const places: LocalPlace[] = [];
    for (const p of job.placements) {
      const place = await local.locate(p.term.xorb, p.term.chunks.start, p.term.chunks.end, p.term.unpacked, signal);
      if (!place) break;
      places.push(place);
    }
    if (places.length !== job.placements.length) continue;
    for (const [i, p] of job.placements.entries()) {
      const from = Math.max(p.cursor, window.start);
      const to = Math.min(p.cursor + p.term.unpacked, window.end);
      if (to > from) copies.push({ place: places[i] as LocalPlace, into: from - p.cursor, from, to });
      p.cursor += p.term.unpacked;
    }
    job.chunk = job.range.chunks.end;
  }
  const copied = (async () => {
    let written = 0;
    for (const c of copies) {
      signal.throwIfAborted();
      await local.copy(c.place, c.into, c.to - c.from, dest, c.from).catch((error: unknown) => {
        if (signal.aborted) throw error;
        throw new HubError('INTEGRITY', `A local copy used for this file could not be read (${error instanceof Error ? error.message : String(error)}).`);
      });
      written += c.to - c.from;
      onWritten(c.from, c.to);
    }
    return written;
  })();
  // Awaited by the caller with its fetches; a failure here must not go unhandled meanwhile.
  copied.catch(() => undefined);
  return { copied };
}
