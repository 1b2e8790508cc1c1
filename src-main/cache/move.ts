/**
 * Moving the whole Hugging Face cache to another folder, typically another drive (so that files
 * already there can be hard-linked or cloned into it). Resumable: a journal in the target names the
 * move; after a crash or kill the same move continues, skipping blobs already complete and
 * restarting the one that was half-copied. A repo is removed from the source only once all of it is
 * in the target. On one file system each top-level folder is simply renamed.
 *
 * Refused while a download runs or another program (Python, a second Hubcap) holds a lock in the
 * cache: moving a cache under a writer would lose its writes. Once started, it holds every lock of
 * the cache, catches up with writers that start meanwhile, and leaves a link at the old place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { readOwnFileSync, writeFileAtomic } from '../base/atomic-write';
import { isLockHeld, lockFile, tryLockFile, type HeldLock } from './blob-lock';
import { copyUntrusted } from '../base/untrusted-file';
import { CACHE_NAMES, locksDir } from './layout';

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
  /** The old place is now a link to the new one. */
  leftLink: boolean;
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
  const locks = locksDir(cache);
  if (!fs.existsSync(locks)) return null;
  for (const e of await fs.promises.readdir(locks, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith(CACHE_NAMES.lock)) continue;
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

/** The exact line that points the user's shell (and so their Python) at the new cache, quoted for that shell. */
export function hubCacheShellLine(dir: string, shell: string, platform: string): string {
  if (platform === 'win32') return `[Environment]::SetEnvironmentVariable('HF_HUB_CACHE', '${dir.replace(/'/g, "''")}', 'User')`;
  const quoted = `'${dir.replace(/'/g, `'\\''`)}'`;
  if (/fish$/.test(shell)) return `set -Ux HF_HUB_CACHE ${quoted}`;
  return `export HF_HUB_CACHE=${quoted}  # in ${/zsh$/.test(shell) ? '~/.zshrc' : '~/.bashrc'} to keep it`;
}

export interface MoveOptions {
  onProgress?: (p: MoveProgress) => void;
  signal?: AbortSignal;
  /** Awaited after each top-level folder has moved (the UI's progress, a test's "mid-move"). */
  onStep?: (name: string) => Promise<void> | void;
  /** Leave a link at the old place leading to the new one (default): programs still set to it keep working. */
  leaveLink?: boolean;
}

/** Every lock file below `.locks/`, or below one repo's folder in it. */
async function lockFiles(cache: string, folder?: string): Promise<string[]> {
  const dir = locksDir(cache, folder);
  if (!fs.existsSync(dir)) return [];
  const all = await fs.promises.readdir(dir, { recursive: true, withFileTypes: true });
  return all.filter((e) => e.isFile() && e.name.endsWith(CACHE_NAMES.lock)).map((e) => path.join(e.parentPath, e.name));
}

async function releaseAll(locks: HeldLock[]): Promise<void> {
  for (const l of locks.splice(0)) await l.release().catch(() => undefined);
}

/** Moves (same drive) or copies then removes one top-level entry, merging into what the target has. */
async function moveEntry(
  src: string,
  dest: string,
  how: 'rename' | 'copy',
  onBytes: (n: number, current: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const st = await fs.promises.lstat(src);
  if (how === 'rename') {
    await mergeRename(src, dest);
    onBytes(0, path.basename(src));
    return;
  }
  if (st.isDirectory()) await copyFolder(src, dest, onBytes, signal);
  else if (st.isFile()) {
    await copyUntrusted(src, dest);
    onBytes(st.size, path.basename(src));
  }
  // Only now, with all of it in the target, does the source copy go.
  await fs.promises.rm(src, { recursive: true, force: true });
}

/** rename, or, where the target already has the folder (a writer recreated it), merge it in: newer files win. */
async function mergeRename(src: string, dest: string): Promise<void> {
  const [s, d] = await Promise.all([fs.promises.lstat(src), fs.promises.lstat(dest).catch(() => null)]);
  if (!d || !(s.isDirectory() && d.isDirectory())) {
    await fs.promises.rename(src, dest);
    return;
  }
  for (const name of await fs.promises.readdir(src)) await mergeRename(path.join(src, name), path.join(dest, name));
  await fs.promises.rmdir(src);
}

/**
 * Moves the cache while others may work in it (#24.7): every lock of the cache is held for the
 * whole move (a Python that starts meanwhile on a known file waits for the end); what writers
 * starting on new files put in the old place meanwhile is moved after them, under their locks; and
 * the old place becomes a link to the new one, so a program still set to it lands in the new place.
 */
export async function moveCache(fromRaw: string, toRaw: string, opts: MoveOptions = {}): Promise<MoveResult> {
  const from = path.resolve(fromRaw);
  const to = path.resolve(toRaw);
  if (!fs.existsSync(from)) throw new ApiError('NOT_FOUND', `There is no cache at ${from} to move.`);
  if (fs.lstatSync(from).isSymbolicLink()) throw new ApiError('INVALID_PATH', `${from} is a link to ${fs.realpathSync(from)}: move that folder instead.`);
  if (inside(from, to) || inside(to, from)) throw new ApiError('INVALID_PATH', `${to} is inside the cache or contains it: choose a folder elsewhere.`);
  const journalFile = path.join(to, MOVE_JOURNAL);
  const journal = fs.existsSync(journalFile) ? (JSON.parse(readOwnFileSync(journalFile)) as { from?: string }) : null;
  const resumed = journal?.from === from;
  if (journal && !resumed) throw new ApiError('CONFLICT', `${to} holds an unfinished move of another cache (${journal.from}).`);
  if (!resumed && fs.existsSync(to) && fs.readdirSync(to).length)
    throw new ApiError('CONFLICT', `${to} is not empty: move the cache into a new or empty folder.`);
  const busy = await anyLockHeld(from);
  if (busy) throw new ApiError('BUSY', `Another program is writing the cache (it holds ${path.relative(from, busy)}): close it, then move the cache.`);
  const held: HeldLock[] = [];
  try {
    for (const file of await lockFiles(from)) {
      const lock = await tryLockFile(file);
      if (!lock)
        throw new ApiError('BUSY', `Another program started writing the cache (it holds ${path.relative(from, file)}): close it, then move the cache.`);
      held.push(lock);
    }
    await fs.promises.mkdir(to, { recursive: true });
    writeFileAtomic(journalFile, JSON.stringify({ from, to, startedAt: new Date().toISOString() }));

    const top = (await fs.promises.readdir(from)).filter((n) => n !== MOVE_JOURNAL);
    const total = (await Promise.all(top.map((n) => folderBytes(path.join(from, n)).catch(() => 0)))).reduce((a, b) => a + b, 0);
    let done = 0;
    const how = sameDevice(from, to) ? 'rename' : 'copy';
    const onBytes = (name: string) => (n: number, current: string) => {
      done += n;
      opts.onProgress?.({ done, total, current: how === 'rename' ? name : `${name}/${current}` });
    };
    // .locks/ goes last: the locks held are in it, and a writer waiting on one must find the new place after.
    for (const name of [...top.filter((n) => n !== CACHE_NAMES.locks), ...top.filter((n) => n === CACHE_NAMES.locks)]) {
      opts.signal?.throwIfAborted();
      if (how === 'rename') done += await folderBytes(path.join(from, name)).catch(() => 0);
      await moveEntry(path.join(from, name), path.join(to, name), how, onBytes(name), opts.signal);
      await opts.onStep?.(name);
    }
    const leftLink = await catchUp(from, to, how, opts, onBytes);
    await fs.promises.rm(journalFile, { force: true });
    return { from, to, bytes: done, how, resumed, leftLink };
  } finally {
    await releaseAll(held);
  }
}

/**
 * Writers that started on new files during the move wrote into the old place: move what appeared
 * (waiting for each such writer's lock, so nothing half-written is moved), until the old folder is
 * empty; then the old folder becomes a link to the new one.
 */
async function catchUp(
  from: string,
  to: string,
  how: 'rename' | 'copy',
  opts: MoveOptions,
  onBytes: (name: string) => (n: number, c: string) => void,
): Promise<boolean> {
  for (let pass = 0; pass < 50; pass++) {
    const left = (await fs.promises.readdir(from)).filter((n) => n !== MOVE_JOURNAL);
    if (!left.length) {
      if (opts.leaveLink === false) {
        await fs.promises.rmdir(from).catch(() => undefined);
        return false;
      }
      // rmdir fails if a writer just made something in it, symlink if it just remade the folder: go again.
      const linked = await fs.promises
        .rmdir(from)
        .then(() => fs.promises.symlink(to, from, process.platform === 'win32' ? 'junction' : 'dir'))
        .then(() => true)
        .catch(() => false);
      if (linked) return true;
      continue;
    }
    for (const name of left) {
      const waiting: HeldLock[] = [];
      try {
        for (const file of await lockFiles(from, name === CACHE_NAMES.locks ? undefined : name))
          waiting.push(await lockFile(file, opts.signal ? { signal: opts.signal } : {}));
        await moveEntry(path.join(from, name), path.join(to, name), how, onBytes(name), opts.signal);
      } finally {
        await releaseAll(waiting);
      }
    }
  }
  throw new ApiError(
    'BUSY',
    `Another program keeps writing into ${from}: the cache is in ${to}; point that program there (HF_HUB_CACHE) and run the move again to finish.`,
  );
}
