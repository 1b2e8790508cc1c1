/**
 * Trusting nothing another program wrote (#24.4): before a payload of the shared store is linked
 * into a repo, or a present blob counted as done, its sha256 is checked against the name it is
 * reached by. Hashing a multi-GB file on every use would be unbearable, so each result is
 * remembered by what identifies those exact bytes on disk — device, inode, size, mtime and ctime
 * (an in-place write changes mtime; a chmod or rename changes ctime and costs one more hash).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { readOwnFileSync, writePrivateFileAtomic } from '../base/atomic-write';
import { untrustedReadStream } from '../base/untrusted-file';
import { SHA256_RE } from '../hub/blob-id';

const MAX_REMEMBERED = 10_000;
const known = new Map<string, string>();
/** Where the results are kept between runs (the data folder), once the core says so. */
let record: string | null = null;

/**
 * Keeps the remembered hashes in `file` (a record of ours): a later run, or the CLI's next command,
 * does not read tens of GB again to trust the same bytes.
 */
export function rememberHashesIn(file: string): void {
  if (record === file) return;
  record = file;
  try {
    const parsed = JSON.parse(readOwnFileSync(file)) as { v?: unknown; known?: Record<string, unknown> };
    if (parsed.v === 1)
      for (const [k, v] of Object.entries(parsed.known ?? {})) if (typeof v === 'string' && SHA256_RE.test(v) && known.size < MAX_REMEMBERED) known.set(k, v);
  } catch {
    // none yet, or unreadable: hash again
  }
}

function save(): void {
  if (!record) return;
  try {
    writePrivateFileAtomic(record, JSON.stringify({ v: 1, known: Object.fromEntries(known) }));
  } catch {
    // only a cache of work: losing it costs a hash
  }
}

/**
 * Whether these exact bytes (by device, inode, size, mtime and ctime) were hashed before and found to
 * be `etag`: the download engine then counts a present blob as done without reading it again.
 */
export function knownRight(file: string, etag: string): boolean {
  if (!SHA256_RE.test(etag)) return true;
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return Boolean(st?.isFile() && known.get(identity(st)) === etag);
}

function identity(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/**
 * Remembers that the file at `file` (links followed) holds `etag`, for bytes this process has just
 * verified itself (a download hashed them before its rename): an update that takes chunks from it
 * later (downloads/xet-local-chunks.ts) does not read it again while these exact bytes stay.
 * Call once the file is in its final place: a rename or chmod changes its ctime, and so its identity.
 */
export function rememberVerified(file: string, etag: string): void {
  if (!SHA256_RE.test(etag)) return;
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st?.isFile()) return;
  if (known.size >= MAX_REMEMBERED) known.delete(known.keys().next().value as string);
  known.set(identity(st), etag);
  save();
}

export interface HashProgress {
  (done: number, total: number): void;
}

/** Counters, for tests and the bench: how many files were really read. */
export const hashStats = { hashed: 0, remembered: 0 };

/**
 * The sha256 of a regular file, from memory when these exact bytes were hashed before. Reads
 * through untrusted-file: a FIFO or a link planted at the name is refused, not followed.
 */
export async function sha256Once(file: string, opts: { onProgress?: HashProgress; signal?: AbortSignal } = {}): Promise<string> {
  const { stream, stat } = await untrustedReadStream(file, { highWaterMark: 1 << 20 });
  const key = identity(stat);
  const hit = known.get(key);
  if (hit) {
    stream.destroy();
    hashStats.remembered += 1;
    return hit;
  }
  const h = createHash('sha256');
  let done = 0;
  let lastReport = 0;
  try {
    for await (const chunk of stream) {
      opts.signal?.throwIfAborted();
      h.update(chunk as Buffer);
      done += (chunk as Buffer).length;
      // Progress on big files only, a few times a second's worth of bytes at most.
      if (opts.onProgress && done - lastReport >= 64 << 20) {
        lastReport = done;
        opts.onProgress(done, stat.size);
      }
    }
  } finally {
    stream.destroy();
  }
  const digest = h.digest('hex');
  hashStats.hashed += 1;
  if (known.size >= MAX_REMEMBERED) known.delete(known.keys().next().value as string);
  known.set(key, digest);
  save();
  opts.onProgress?.(stat.size, stat.size);
  return digest;
}

/**
 * Whether a blob already in the cache holds what its name says, before it is counted as done
 * (#24.4): another program (Python's Xet path checks lengths only) may have put it there. sha256
 * names are checked, hashed once per inode; git blob names (small regular files) are not.
 */
export async function presentBlobIsRight(file: string, etag: string, opts: { onProgress?: HashProgress; signal?: AbortSignal } = {}): Promise<boolean> {
  if (!SHA256_RE.test(etag)) return true;
  return (await sha256Once(file, opts).catch(() => null)) === etag;
}

/** Forgets everything (tests). */
export function forgetHashes(): void {
  known.clear();
  hashStats.hashed = 0;
  hashStats.remembered = 0;
}
