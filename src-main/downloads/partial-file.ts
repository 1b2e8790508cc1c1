/**
 * The temp file a download writes while it holds the blob's lock: `blobs/<etag>.<8 hex>.incomplete`,
 * the name huggingface_hub ≥ 1.18 uses, so each writer owns its file. Under the lock a partial left
 * by a crashed writer (ours, or Python's `<etag>.incomplete`) is adopted and resumed: nobody who
 * honours the lock can be writing it. Writes are positional and every write error surfaces. A
 * partial written by several connections has a record of its done spans beside it (range-state.ts).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { INCOMPLETE_SUFFIX, rangesPathOf, readRanges } from './range-state';
import { createExclusive, openUntrusted } from '../base/untrusted-file';

export { INCOMPLETE_SUFFIX };

export interface PartialFile {
  path: string;
  fh: fs.promises.FileHandle;
  /** The file's size on disk. */
  size: number;
  /** Spans of the blob already there: the prefix `[0, size)`, or the record of a multi-connection partial. */
  done: [number, number][];
  dev: number;
  ino: number;
}

/** Is this blobs/ entry a partial of that etag (`<etag>.incomplete` or `<etag>.<x>.incomplete`, not a ranges record)? */
export function isPartialOf(name: string, etag: string): boolean {
  return name.startsWith(`${etag}.`) && name.endsWith(INCOMPLETE_SUFFIX) && !name.includes('.ranges.');
}

/** Is this blobs/ entry a ranges record (or its temp) of that etag? */
function isRangesOf(name: string, etag: string): boolean {
  return name.startsWith(`${etag}.`) && name.endsWith(INCOMPLETE_SUFFIX) && name.includes('.ranges.');
}

function uniqueName(blobsDir: string, etag: string): string {
  return path.join(blobsDir, `${etag}.${randomBytes(4).toString('hex')}${INCOMPLETE_SUFFIX}`);
}

/** The cache is shared: a claimed partial is opened as untrusted (a FIFO or link swapped in is refused), a fresh one created exclusively. */
async function openOwned(file: string, how: 'claimed' | 'fresh', done?: [number, number][]): Promise<PartialFile> {
  const fh = how === 'fresh' ? await createExclusive(file) : (await openUntrusted(file, { access: 'readWrite' })).fh;
  const st = await fh.stat();
  // A record never claims bytes past the file's end (it may have been truncated since).
  const spans = (done ?? (st.size > 0 ? [[0, st.size] as [number, number]] : [])).filter(([, b]) => b <= st.size);
  return { path: file, fh, size: st.size, done: spans, dev: st.dev, ino: st.ino };
}

/**
 * Claims a partial for this blob. Call only while holding the blob's lock. The largest partial of
 * the etag that is not longer than the blob is renamed to a name of ours and reopened; otherwise a
 * fresh empty one is created.
 */
export async function claimPartial(blobsDir: string, etag: string, size: number): Promise<PartialFile> {
  const candidates: { file: string; useful: number; done: [number, number][] | null }[] = [];
  const names = await fs.promises.readdir(blobsDir).catch(() => [] as string[]);
  for (const name of names) {
    if (!isPartialOf(name, etag)) continue;
    const file = path.join(blobsDir, name);
    const st = await fs.promises.lstat(file).catch(() => null);
    if (!st?.isFile() || st.size > size) continue;
    const done = await readRanges(file, size);
    candidates.push({ file, done, useful: done ? done.reduce((n, [a, b]) => n + b - a, 0) : st.size });
  }
  // Records whose partial is gone (a crash between the two renames, another tool's cleanup) are dropped.
  const partials = new Set(candidates.map((c) => rangesPathOf(c.file)));
  for (const name of names) {
    if (isRangesOf(name, etag) && !partials.has(path.join(blobsDir, name))) await fs.promises.rm(path.join(blobsDir, name), { force: true });
  }
  candidates.sort((a, b) => b.useful - a.useful);
  for (const c of candidates) {
    const mine = uniqueName(blobsDir, etag);
    try {
      // The record first: a crash between the renames leaves a partial without one, which is then
      // read as a prefix; the hash before the rename catches that and the file is fetched again.
      if (c.done) await fs.promises.rename(rangesPathOf(c.file), rangesPathOf(mine));
      await fs.promises.rename(c.file, mine);
      return await openOwned(mine, 'claimed', c.done ?? undefined);
    } catch {
      // gone meanwhile (another tool's cleanup): try the next one
    }
  }
  return openOwned(uniqueName(blobsDir, etag), 'fresh');
}

/** A fresh, empty partial (the old one was deleted under us, or is being restarted). */
export async function replacePartial(blobsDir: string, etag: string, old: PartialFile): Promise<PartialFile> {
  await old.fh.close().catch(() => undefined);
  await fs.promises.rm(old.path, { force: true });
  await fs.promises.rm(rangesPathOf(old.path), { force: true });
  return openOwned(uniqueName(blobsDir, etag), 'fresh');
}

/**
 * Where a transfer's partial comes from and how it starts over: the cache's blobs folder (any
 * partial of the etag, ours or another tool's, under the blob's lock) or one named temp file (a
 * `--local-dir` download's). The transfer fills it and leaves it verified at its path; the caller
 * renames it into place.
 */
export interface PartialSource {
  /** The folder it lives in (free space, disk errors). */
  readonly dir: string;
  claim(): Promise<PartialFile>;
  /** A fresh, empty partial instead of `old` (restarting from zero). */
  replace(old: PartialFile): Promise<PartialFile>;
}

/** The cache's partials of one blob. Use only while holding the blob's lock. */
export function cachePartials(blobsDir: string, etag: string, size: number): PartialSource {
  return { dir: blobsDir, claim: () => claimPartial(blobsDir, etag, size), replace: (old) => replacePartial(blobsDir, etag, old) };
}

/**
 * One named temp file (`….incomplete`, its record beside it): what it holds is resumed, a file
 * there that cannot be ours (longer than the blob, not a regular file) is replaced. Use only while
 * holding the lock that guards the path.
 */
export function partialAt(file: string, size: number): PartialSource {
  if (!file.endsWith(INCOMPLETE_SUFFIX)) throw new Error(`a partial's name ends with ${INCOMPLETE_SUFFIX}: ${file}`);
  const fresh = async () => {
    await fs.promises.rm(file, { force: true });
    await fs.promises.rm(rangesPathOf(file), { force: true });
    return openOwned(file, 'fresh');
  };
  return {
    dir: path.dirname(file),
    claim: async () => {
      const st = await fs.promises.lstat(file).catch(() => null);
      if (!st?.isFile() || st.size > size) return fresh();
      return openOwned(file, 'claimed', (await readRanges(file, size)) ?? undefined);
    },
    replace: async (old) => {
      await old.fh.close().catch(() => undefined);
      return fresh();
    },
  };
}

/** Does the path still name the file we are writing (another tool may delete in-flight partials)? */
export async function stillOurs(p: PartialFile): Promise<boolean> {
  const st = await fs.promises.stat(p.path).catch(() => null);
  return st !== null && st.ino === p.ino && st.dev === p.dev;
}

const HIGH_WATER = 8 << 20;
/**
 * Chunks are gathered into writes of at least this much: each write costs the event loop ~0.1 ms
 * of its own (handing it to libuv's pool and back, measured on two loaded cores: 3072 writes of
 * 64 KiB took 265 ms of the main thread, 768 of 256 KiB 85 ms), and a socket hands over 16–64 KiB
 * at a time, so a 12 MiB shard on twelve connections cost ~200 writes and a fifth of the thread.
 */
const BATCH_BYTES = 256 << 10;
/**
 * A batch not yet full is written this long after its first byte came: a slow connection's bytes
 * still land (and count as done for the record and the hash) within a few ms, so what a crash
 * loses stays what the record's save interval allows.
 */
const BATCH_WAIT_MS = 20;

/**
 * Sequential positional writes with backpressure. Chunks are queued and written with writev from
 * `start` on, gathered into batches (BATCH_BYTES, or BATCH_WAIT_MS after the first); push()
 * returns false once too much is queued (pause the source until drained()). The first error is
 * kept and thrown by flush()/drained(): nothing is ever dropped silently.
 */
export class SequentialWriter {
  readonly #fh: fs.promises.FileHandle;
  #pos: number;
  #queue: Buffer[] = [];
  #queued = 0;
  /** Bytes queued and not yet handed to a write. */
  #pending = 0;
  #writing: Promise<void> | null = null;
  #error: unknown = null;
  #waiters: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #onFlushed: (end: number) => void;

  constructor(fh: fs.promises.FileHandle, start: number, onFlushed: (end: number) => void) {
    this.#fh = fh;
    this.#pos = start;
    this.#onFlushed = onFlushed;
  }

  get error(): unknown {
    return this.#error;
  }

  push(chunk: Buffer): boolean {
    if (this.#error) return false;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    this.#pending += chunk.length;
    if (this.#pending >= BATCH_BYTES) this.#pump();
    else this.#timer ??= setTimeout(() => this.#pump(), BATCH_WAIT_MS);
    return this.#queued < HIGH_WATER;
  }

  /** Resolves when the queue is short again (or rejects with the first write error). */
  async drained(): Promise<void> {
    while (this.#queued >= HIGH_WATER && !this.#error) await new Promise<void>((r) => this.#waiters.push(r));
    if (this.#error) throw this.#error;
  }

  /** Everything pushed is written (or the first write error is thrown). */
  async flush(): Promise<void> {
    while ((this.#writing || this.#queue.length) && !this.#error) {
      if (this.#writing) await this.#writing;
      else this.#pump();
    }
    this.#clearTimer();
    if (this.#error) throw this.#error;
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #pump(): void {
    this.#clearTimer();
    if (this.#writing || this.#queue.length === 0 || this.#error) return;
    const chunks = this.#queue.splice(0);
    const bytes = chunks.reduce((a, c) => a + c.length, 0);
    this.#pending -= bytes;
    this.#writing = (async () => {
      try {
        let { bytesWritten } = await this.#fh.writev(chunks, this.#pos);
        // A short write (a disk filling up) is finished by hand; the next write reports ENOSPC.
        while (bytesWritten < bytes) {
          const rest = Buffer.concat(chunks).subarray(bytesWritten);
          const r = await this.#fh.write(rest, 0, rest.length, this.#pos + bytesWritten);
          if (r.bytesWritten === 0) throw Object.assign(new Error('nothing could be written'), { code: 'EIO' });
          bytesWritten += r.bytesWritten;
        }
        this.#pos += bytes;
        this.#queued -= bytes;
        this.#onFlushed(this.#pos);
      } catch (error) {
        this.#error = error;
        this.#clearTimer();
      } finally {
        this.#writing = null;
        for (const w of this.#waiters.splice(0)) w();
        // What queued meanwhile: written now when a batch is full, else when its wait is over.
        if (this.#pending >= BATCH_BYTES) this.#pump();
        else if (this.#pending > 0 && !this.#error) this.#timer ??= setTimeout(() => this.#pump(), BATCH_WAIT_MS);
      }
    })();
  }
}
