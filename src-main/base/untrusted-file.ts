/**
 * The one way to open a file at a path someone else can change: other apps' folders, the shared
 * Hugging Face cache, dropped files, publish sources. Such a path may be a FIFO (opening it for
 * reading blocks until a writer comes: four of them wedge Node's whole thread pool, and with it
 * every file call of the process), a socket, a device, or a link planted to lead out of the folder.
 *
 * So: `lstat` first and refuse anything but a regular file, with the reason; follow a link only
 * where the caller allows and only when its real path stays inside the caller's root; open with
 * O_NOFOLLOW and O_NONBLOCK (a FIFO swapped in after the check then opens at once instead of
 * blocking) and check with `fstat` that what was opened is the very file examined; put a deadline
 * on every step that can block (a hung network drive). Lint (`eslint.config.js`) keeps `open`,
 * `readFile` and `createReadStream` out of the folders that handle such paths, so this is the only
 * door.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';

/** Absent on Windows: there a FIFO is not a path and links need privileges, so 0 is harmless. */
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const O_NOCTTY = fs.constants.O_NOCTTY ?? 0;
/** A new file only: nothing already at the name (a link, a FIFO) is ever opened. */
const EXCLUSIVE = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW | O_NONBLOCK;

/** Long enough for a slow network drive, short enough that a hung one is reported, not waited on. */
export const DEFAULT_DEADLINE_MS = 15_000;

export interface UntrustedOpenOptions {
  /**
   * The folder the file must really be in (links resolved). A link is followed only when this is
   * given and `followLinks` is true, and only to a target inside it.
   */
  root?: string;
  followLinks?: boolean;
  /** 'read' (default) or 'readWrite' (an existing file, e.g. a partial download to resume). */
  access?: 'read' | 'readWrite';
  deadlineMs?: number;
}

export interface UntrustedFile {
  fh: fs.promises.FileHandle;
  /** fstat of the opened file: a regular file, the one that was examined. */
  stat: fs.Stats;
  /** The path that was opened (the link's target when a link was followed). */
  realPath: string;
}

/** What a non-regular file is, in words. */
export function describeKind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO), not a file';
  if (st.isSocket()) return 'a socket, not a file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device, not a file';
  if (st.isDirectory()) return 'a folder, not a file';
  if (st.isSymbolicLink()) return 'a link';
  return 'not a regular file';
}

function refuse(file: string, why: string, details?: Record<string, unknown>): ApiError {
  return new ApiError('INVALID_PATH', `${file} was not opened: it is ${why}.`, { path: file, ...details });
}

/** True when `p` is `root` or below it (both already real paths). */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Runs one blocking step with a deadline. A call that never returns keeps its thread, but the
 * caller gets a clear error and goes on; `onLate` disposes of what a late success brings (an fd).
 */
export async function withDeadline<T>(step: Promise<T>, ms: number, what: string, onLate?: (value: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new ApiError('DISK_ERROR', `${what} did not answer within ${Math.round(ms / 1000)} s (a hung network drive?).`));
    }, ms);
    timer.unref();
  });
  step.then(
    (v) => {
      if (late) onLate?.(v);
    },
    () => undefined,
  );
  try {
    return await Promise.race([step, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where a path leads, checked: the regular file to open and its lstat. Refuses everything else. */
async function examine(file: string, opts: UntrustedOpenOptions, ms: number): Promise<{ target: string; st: fs.Stats; realRoot: string | null }> {
  const st = await withDeadline(fs.promises.lstat(file), ms, `Reading ${file}`);
  const realRoot = opts.root ? await withDeadline(fs.promises.realpath(opts.root), ms, `Reading ${opts.root}`) : null;
  if (st.isSymbolicLink()) {
    if (!opts.followLinks || !realRoot) throw refuse(file, 'a link, and links are not followed here');
    const target = await withDeadline(fs.promises.realpath(file), ms, `Reading ${file}`).catch((error: unknown) => {
      if (error instanceof ApiError) throw error;
      throw refuse(file, 'a broken link');
    });
    if (!isInside(realRoot, target)) throw refuse(file, `a link out of ${opts.root} (to ${target})`, { target });
    const tst = await withDeadline(fs.promises.lstat(target), ms, `Reading ${target}`);
    if (!tst.isFile()) throw refuse(file, `a link to ${describeKind(tst)}`, { target });
    return { target, st: tst, realRoot };
  }
  if (!st.isFile()) throw refuse(file, describeKind(st));
  if (realRoot) {
    // A folder above the file may itself be a link out of the root.
    const real = await withDeadline(fs.promises.realpath(file), ms, `Reading ${file}`);
    if (!isInside(realRoot, real)) throw refuse(file, `outside ${opts.root} (it is really ${real})`, { target: real });
  }
  return { target: file, st, realRoot };
}

function sameFile(a: fs.Stats, b: fs.Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** Opens a regular file someone else controls, checked as the header says. Close `fh` when done. */
export async function openUntrusted(file: string, opts: UntrustedOpenOptions = {}): Promise<UntrustedFile> {
  const ms = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const { target, st, realRoot } = await examine(file, opts, ms);
  const flags = (opts.access === 'readWrite' ? fs.constants.O_RDWR : fs.constants.O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
  const fh = await withDeadline(fs.promises.open(target, flags), ms, `Opening ${file}`, (late) => void late.close().catch(() => undefined)).catch(
    (error: NodeJS.ErrnoException) => {
      // O_NOFOLLOW on a link swapped in after the check.
      if (error.code === 'ELOOP') throw refuse(file, 'a link (it became one while being opened)');
      throw error;
    },
  );
  try {
    const opened = await withDeadline(fh.stat(), ms, `Reading ${file}`);
    if (!opened.isFile()) throw refuse(file, describeKind(opened));
    if (!sameFile(opened, st)) throw refuse(file, 'a different file from the one examined (it was replaced while being opened)');
    // Where the opened file really is (Linux): a folder on its path swapped for a link between the
    // checks and the open cannot lead outside the root unnoticed.
    if (realRoot && process.platform === 'linux') {
      const where = await withDeadline(fs.promises.readlink(`/proc/self/fd/${fh.fd}`), ms, `Reading ${file}`).catch(() => null);
      if (where && where.startsWith('/') && !isInside(realRoot, where)) throw refuse(file, `outside ${opts.root} (it is really ${where})`, { target: where });
    }
    return { fh, stat: opened, realPath: target };
  } catch (error) {
    await fh.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Synchronous twin of openUntrusted, for the cache's small files (refs, records, a card) read on a
 * sync scan path: the same checks, without deadlines (a sync call cannot be abandoned; these are
 * local metadata reads, and O_NONBLOCK is what keeps a FIFO from blocking). Close the fd when done.
 */
function openUntrustedSync(file: string, opts: Pick<UntrustedOpenOptions, 'root' | 'followLinks'> = {}): { fd: number; stat: fs.Stats } {
  let st = fs.lstatSync(file);
  let target = file;
  if (opts.root) {
    const real = fs.realpathSync(file);
    if (st.isSymbolicLink() && !opts.followLinks) throw refuse(file, 'a link, and links are not followed here');
    if (!isInside(fs.realpathSync(opts.root), real)) throw refuse(file, `outside ${opts.root} (it is really ${real})`, { target: real });
    if (st.isSymbolicLink()) {
      target = real;
      st = fs.lstatSync(real);
    }
  }
  if (!st.isFile()) throw refuse(file, describeKind(st));
  const fd = fs.openSync(target, fs.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  try {
    const opened = fs.fstatSync(fd);
    if (!opened.isFile() || !sameFile(opened, st)) throw refuse(file, 'a different file from the one examined');
    return { fd, stat: opened };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/** A whole small file, synchronously (see openUntrustedSync), bounded. */
export function readUntrustedSync(file: string, maxBytes: number, opts: Pick<UntrustedOpenOptions, 'root' | 'followLinks'> = {}): Buffer {
  const { fd, stat } = openUntrustedSync(file, opts);
  try {
    if (stat.size > maxBytes) throw refuse(file, `larger than ${maxBytes} bytes`);
    const buf = Buffer.allocUnsafe(stat.size + 1);
    let n = 0;
    for (let r = -1; r !== 0 && n < buf.length; n += r) r = fs.readSync(fd, buf, n, buf.length - n, n);
    if (n > maxBytes) throw refuse(file, `larger than ${maxBytes} bytes`);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** A whole small file (a manifest, a config, a record), bounded. */
export async function readUntrusted(file: string, maxBytes: number, opts: UntrustedOpenOptions = {}): Promise<Buffer> {
  const { fh, stat } = await openUntrusted(file, opts);
  try {
    if (stat.size > maxBytes) throw refuse(file, `larger than ${maxBytes} bytes`);
    const buf = Buffer.allocUnsafe(stat.size + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await withDeadline(fh.read(buf, n, buf.length - n, n), opts.deadlineMs ?? DEFAULT_DEADLINE_MS, `Reading ${file}`);
      n += bytesRead;
      if (bytesRead === 0 || n === buf.length) break;
    }
    if (n > maxBytes) throw refuse(file, `larger than ${maxBytes} bytes`);
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

/** A read stream over an opened untrusted file (`start`/`end` inclusive, as fs's). */
export async function untrustedReadStream(
  file: string,
  opts: UntrustedOpenOptions & { start?: number; end?: number; highWaterMark?: number } = {},
): Promise<{ stream: fs.ReadStream; stat: fs.Stats }> {
  const { fh, stat } = await openUntrusted(file, opts);
  const stream = fh.createReadStream({ start: opts.start, end: opts.end, highWaterMark: opts.highWaterMark, autoClose: true });
  return { stream, stat };
}

/**
 * A new file in a place others write (a partial download in the shared cache): created with O_EXCL
 * and O_NOFOLLOW, so nothing someone put at that name (a link, a FIFO) is ever opened instead.
 */
export async function createExclusive(file: string, mode = 0o666): Promise<fs.promises.FileHandle> {
  return fs.promises.open(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, mode);
}

/**
 * A lock file in a shared place (the cache's `.locks/`, as Python's filelock makes them): created
 * if missing, opened without following a link, and refused unless it is a regular file, so a FIFO
 * or a link planted at its name is never locked or written through.
 */
export async function openLockFile(file: string, mode = 0o664): Promise<fs.promises.FileHandle> {
  const fh = await fs.promises
    .open(file, fs.constants.O_RDWR | fs.constants.O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, mode)
    .catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ELOOP') throw refuse(file, 'a link, and a lock file must not be one');
      throw error;
    });
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw refuse(file, describeKind(st));
  }
  return fh;
}

/**
 * Copies (or clones, with `COPYFILE_FICLONE_FORCE` in `flags`) a file someone else controls: the
 * source is opened and checked as untrusted first, then the copy reads that very open file (on
 * Linux through `/proc/self/fd`, which keeps the kernel's copy and reflink paths), so a FIFO or a
 * link swapped in after the check is never opened by the copy.
 */
export async function copyUntrusted(src: string, dest: string, flags = 0, opts: UntrustedOpenOptions = {}): Promise<fs.Stats> {
  const { fh, stat } = await openUntrusted(src, opts);
  try {
    const from = process.platform === 'linux' ? `/proc/self/fd/${fh.fd}` : src;
    // No deadline: a copy of tens of GB takes what it takes; the open above is what could block.
    await fs.promises.copyFile(from, dest, flags);
    return stat;
  } finally {
    await fh.close();
  }
}

/** Sync twin of copyUntrusted, for the cache's copy-instead-of-link mode (no symlinks on this disk). */
export function copyUntrustedSync(src: string, dest: string, flags = 0): void {
  const { fd } = openUntrustedSync(src);
  try {
    fs.copyFileSync(process.platform === 'linux' ? `/proc/self/fd/${fd}` : src, dest, flags);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes a file in a place others write (the shared cache) without ever opening what is at its
 * name: `tmp` is cleared and created anew with O_EXCL|O_NOFOLLOW (a link or FIFO planted there is
 * unlinked, never followed or waited on), then renamed over `file` (which replaces whatever was there).
 */
export function replaceFileSync(file: string, data: string | Buffer, tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`): void {
  fs.rmSync(tmp, { force: true });
  writeExclusiveSync(tmp, data);
  try {
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

/** Async twin of replaceFileSync. */
export async function replaceFile(file: string, data: string | Buffer, tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`): Promise<void> {
  // Exclusive, so whatever is at the temp name (a leftover, a link, a FIFO) is never opened; it is
  // removed only then. Not unlinked up front: a Xet journal saves ~100 times a second, and the
  // temp name is almost always free.
  const fh = await fs.promises.open(tmp, EXCLUSIVE, 0o666).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
    await unlinkIfThere(tmp);
    return fs.promises.open(tmp, EXCLUSIVE, 0o666);
  });
  try {
    await fh.writeFile(data);
  } catch (error) {
    // A full disk: the part written goes, rather than wait for the next save to clear it.
    await fh.close().catch(() => undefined);
    await unlinkIfThere(tmp).catch(() => undefined);
    throw error;
  }
  await fh.close();
  try {
    await fs.promises.rename(tmp, file);
  } catch (error) {
    await unlinkIfThere(tmp);
    throw error;
  }
}

/**
 * A leftover temp name removed (a folder there is an error, as with rm). Not fs.promises.rm: its
 * JS rimraf lstats first, ~0.2 ms of the main thread per call, and a Xet journal saves ~100 times
 * a second on loopback (docs/performance.md).
 */
async function unlinkIfThere(p: string): Promise<void> {
  await fs.promises.unlink(p).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Creates a new file (fails when the name exists: nothing there is ever opened), as CACHEDIR.TAG or a probe. */
export function writeExclusiveSync(file: string, data: string | Buffer): void {
  const fd = fs.openSync(file, EXCLUSIVE, 0o666);
  try {
    fs.writeFileSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
}

/** lstat a path someone else controls, with a deadline; null when it does not exist. */
export async function lstatUntrusted(file: string, deadlineMs = DEFAULT_DEADLINE_MS): Promise<fs.Stats | null> {
  try {
    return await withDeadline(fs.promises.lstat(file), deadlineMs, `Reading ${file}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error;
  }
}
