/**
 * Moving the whole Hugging Face cache to another folder, typically another drive (so that files
 * already there can be hard-linked or cloned into it). Resumable: a journal in the target names the
 * move; after a crash or kill the same move continues, skipping blobs already complete and
 * restarting the one that was half-copied. A repo is removed from the source only once all of it is
 * in the target. On one file system each top-level folder is simply renamed.
 *
 * Refused while a download runs or another program (Python, a second Hubcap) holds a lock in the
 * cache: moving a cache under a writer would lose its writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { readOwnFileSync, writeFileAtomic } from '../app/atomic-write';
import { isLockHeld } from './blob-lock';
import { copyUntrusted } from '../app/untrusted-file';

export const MOVE_JOURNAL = '.hubcap-move.json';
const PARTIAL = '.hubcap-moving';

export interface MoveProgress {
  done: number;
  total: number;
  current: string | null;
}

export interface MoveResult {
  from: string;
  to: string;
  bytes: number;
  /** Whether it was renamed (same file system) or copied then removed. */
  how: 'rename' | 'copy';
  resumed: boolean;
}

function inside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function sameDevice(a: string, b: string): boolean {
  let dir = b;
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return fs.statSync(a).dev === fs.statSync(dir).dev;
}

async function anyLockHeld(cache: string): Promise<string | null> {
  const locks = path.join(cache, '.locks');
  if (!fs.existsSync(locks)) return null;
  for (const e of await fs.promises.readdir(locks, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.lock')) continue;
    const file = path.join(e.parentPath, e.name);
    if (await isLockHeld(file)) return file;
  }
  return null;
}

/** Files below a folder, relative, symlinks as links (never followed). */
async function entries(root: string): Promise<{ rel: string; kind: 'file' | 'link' | 'dir' | 'special' }[]> {
  const out: { rel: string; kind: 'file' | 'link' | 'dir' | 'special' }[] = [];
  for (const e of await fs.promises.readdir(root, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(root, path.join(e.parentPath, e.name));
    // A FIFO, socket or device is no cache content: never copied (opening a FIFO would wait forever).
    out.push({ rel, kind: e.isSymbolicLink() ? 'link' : e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'special' });
  }
  return out;
}

/** Copies one repo folder (blobs first, then links, refs and records), resuming what is there. */
async function copyFolder(src: string, dest: string, onBytes: (n: number, current: string) => void, signal?: AbortSignal): Promise<void> {
  const all = await entries(src);
  await fs.promises.mkdir(dest, { recursive: true });
  for (const d of all.filter((e) => e.kind === 'dir')) await fs.promises.mkdir(path.join(dest, d.rel), { recursive: true });
  // Regular files (blobs, refs, trees/ records), each landing under its name only when complete.
  for (const f of all.filter((e) => e.kind === 'file' && !e.rel.endsWith(PARTIAL))) {
    signal?.throwIfAborted();
    const from = path.join(src, f.rel);
    const to = path.join(dest, f.rel);
    const size = (await fs.promises.stat(from)).size;
    if ((await fs.promises.stat(to).catch(() => null))?.size === size) {
      onBytes(size, f.rel);
      continue;
    }
    const tmp = `${to}${PARTIAL}`;
    await fs.promises.rm(tmp, { force: true });
    await copyUntrusted(from, tmp);
    await fs.promises.rename(tmp, to);
    onBytes(size, f.rel);
  }
  // Snapshot links are relative (../../blobs/<etag>): the same text works in the new place.
  for (const l of all.filter((e) => e.kind === 'link')) {
    const to = path.join(dest, l.rel);
    const target = await fs.promises.readlink(path.join(src, l.rel));
    const existing = await fs.promises.readlink(to).catch(() => null);
    if (existing === target) continue;
    await fs.promises.rm(to, { force: true });
    await fs.promises.symlink(target, to);
  }
}

async function folderBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await entries(dir)) if (e.kind === 'file') n += (await fs.promises.lstat(path.join(dir, e.rel))).size;
  return n;
}

export async function moveCache(
  fromRaw: string,
  toRaw: string,
  opts: { onProgress?: (p: MoveProgress) => void; signal?: AbortSignal } = {},
): Promise<MoveResult> {
  const from = path.resolve(fromRaw);
  const to = path.resolve(toRaw);
  if (!fs.existsSync(from)) throw new ApiError('NOT_FOUND', `There is no cache at ${from} to move.`);
  if (inside(from, to) || inside(to, from)) throw new ApiError('INVALID_PATH', `${to} is inside the cache or contains it: choose a folder elsewhere.`);
  const journalFile = path.join(to, MOVE_JOURNAL);
  const journal = fs.existsSync(journalFile) ? (JSON.parse(readOwnFileSync(journalFile)) as { from?: string }) : null;
  const resumed = journal?.from === from;
  if (journal && !resumed) throw new ApiError('CONFLICT', `${to} holds an unfinished move of another cache (${journal.from}).`);
  if (!resumed && fs.existsSync(to) && fs.readdirSync(to).length)
    throw new ApiError('CONFLICT', `${to} is not empty: move the cache into a new or empty folder.`);
  const held = await anyLockHeld(from);
  if (held) throw new ApiError('BUSY', `Another program is writing the cache (it holds ${path.relative(from, held)}): close it, then move the cache.`);
  await fs.promises.mkdir(to, { recursive: true });
  writeFileAtomic(journalFile, JSON.stringify({ from, to, startedAt: new Date().toISOString() }));

  const top = (await fs.promises.readdir(from)).filter((n) => n !== MOVE_JOURNAL);
  const total = (await Promise.all(top.map((n) => folderBytes(path.join(from, n)).catch(() => 0)))).reduce((a, b) => a + b, 0);
  let done = 0;
  const report = (current: string | null) => opts.onProgress?.({ done, total, current });
  const how = sameDevice(from, to) ? 'rename' : 'copy';
  for (const name of top) {
    opts.signal?.throwIfAborted();
    const src = path.join(from, name);
    const dest = path.join(to, name);
    const st = await fs.promises.lstat(src);
    if (how === 'rename') {
      done += st.isDirectory() ? await folderBytes(src) : st.size;
      await fs.promises.rename(src, dest);
      report(name);
      continue;
    }
    if (st.isDirectory()) {
      await copyFolder(
        src,
        dest,
        (n, current) => {
          done += n;
          report(`${name}/${current}`);
        },
        opts.signal,
      );
    } else if (st.isFile()) {
      await copyUntrusted(src, dest);
      done += st.size;
    }
    // Only now, with all of it in the target, does the source copy go.
    await fs.promises.rm(src, { recursive: true, force: true });
  }
  await fs.promises.rm(journalFile, { force: true });
  await fs.promises.rmdir(from).catch(() => undefined);
  return { from, to, bytes: done, how, resumed };
}
