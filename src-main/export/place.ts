/**
 * Placing one cached file at its destination in another app's folder: made under a unique temp
 * name beside it (a clone, a hard link, a symlink to the cache's snapshot file, or a copy), checked,
 * then put in place without ever replacing what is there unless the user allowed it (a hard link
 * of the temp name fails on an existing name: no check-then-rename race). The cache's file is read
 * as untrusted (only inside the cache, never a FIFO or a link out of it); nothing at the target is
 * ever opened for writing.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ExportConflict, ExportMode } from '../contract/export';
import { ApiError } from '../contract/errors';
import { copyUntrusted, isInside, openUntrusted } from '../base/untrusted-file';
import { hashBlob, sha256File } from '../cache/verify';

export interface SourceFile {
  /** The repo blob (in a 2.x cache it may link into the shared store). */
  blob: string;
  /** The snapshot entry `snapshots/<commit>/<path>`: what a symlink points at. */
  snapshotFile: string;
  size: number;
  sha256: string | null;
  /** The blob's name when it is one (sha256 for LFS, git's blob sha1 for small files): what a copy is checked against. */
  etag: string | null;
}

/** Hash a conflicting file only when cheap or decisive: same size, or small. */
const HASH_CONFLICT_UNDER = 256 << 20;

/** What is at `dest` now: nothing, this very file, or something else (shown to the user with its size and hash). */
export async function existingAt(
  dest: string,
  src: SourceFile,
  cacheRoot: string,
): Promise<{ state: 'new' | 'same' } | { state: 'conflict'; conflict: ExportConflict }> {
  const st = fs.lstatSync(dest, { throwIfNoEntry: false });
  if (!st) return { state: 'new' };
  if (st.isSymbolicLink()) {
    const target = fs.readlinkSync(dest);
    if (path.resolve(path.dirname(dest), target) === src.snapshotFile) return { state: 'same' };
    return { state: 'conflict', conflict: { size: st.size, sha256: null, kind: 'symlink' } };
  }
  if (!st.isFile()) return { state: 'conflict', conflict: { size: st.size, sha256: null, kind: 'other' } };
  const blob = fs.statSync(src.blob, { throwIfNoEntry: false });
  if (blob && blob.dev === st.dev && blob.ino === st.ino) return { state: 'same' };
  const hashIt = st.size === src.size || st.size < HASH_CONFLICT_UNDER;
  const theirs = hashIt ? await sha256File(dest) : null;
  const ours = src.sha256 ?? (st.size === src.size ? await sha256File(src.blob, { root: cacheRoot, followLinks: true }) : null);
  if (theirs !== null && theirs === ours) return { state: 'same' };
  return { state: 'conflict', conflict: { size: st.size, sha256: theirs, kind: 'file' } };
}

/** Makes the new entry under `tmp` by the chosen way. */
async function make(src: SourceFile, tmp: string, mode: ExportMode, cacheRoot: string): Promise<void> {
  const untrusted = { root: cacheRoot, followLinks: true };
  switch (mode) {
    case 'clone':
      await copyUntrusted(src.blob, tmp, fs.constants.COPYFILE_FICLONE_FORCE | fs.constants.COPYFILE_EXCL, untrusted);
      break;
    case 'copy':
      await copyUntrusted(src.blob, tmp, fs.constants.COPYFILE_EXCL, untrusted);
      break;
    case 'link': {
      // The very inode examined (inside the cache, a regular file) gets the second name.
      const { fh, realPath } = await openUntrusted(src.blob, untrusted);
      await fh.close();
      await fs.promises.link(realPath, tmp);
      break;
    }
    case 'symlink':
      // Absolute: the app's folder is anywhere; the link reads as the repo path it stands for.
      await fs.promises.symlink(src.snapshotFile, tmp);
      break;
  }
  if (mode !== 'symlink') {
    const st = await fs.promises.lstat(tmp);
    if (!st.isFile() || st.size !== src.size)
      throw new ApiError('INTEGRITY', `The ${mode} of ${path.basename(src.snapshotFile)} has ${st.size} bytes, not ${src.size}.`);
  }
  // A copy has bytes of its own: read back before it takes its name, so a cache blob gone bad (or a
  // bad write) never reaches the app as the model. Clones and links share the cache's very bytes.
  if (mode === 'copy' && src.etag) {
    const got = await hashBlob(tmp, src.etag, { root: path.dirname(tmp) });
    if (got !== src.etag)
      throw new ApiError(
        'INTEGRITY',
        `The copy of ${path.basename(src.snapshotFile)} does not match the cached file's hash (${src.etag.slice(0, 12)}…, got ${got.slice(0, 12)}…): it was removed. Verify the cache (Cache › Verify, or hubcap cache verify) and repair it.`,
        { expected: src.etag, got },
      );
  }
}

/** Puts `tmp` at `dest`; never over an existing name unless `replace`. */
async function commit(tmp: string, dest: string, replace: boolean): Promise<void> {
  if (replace) return fs.promises.rename(tmp, dest);
  try {
    await fs.promises.link(tmp, dest);
    await fs.promises.rm(tmp, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ApiError('CONFLICT', `${dest} appeared meanwhile: nothing was replaced.`, { path: dest });
    // File systems without hard links (FAT, exFAT, some network shares): the best that is left is a checked rename.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw error;
    if (fs.lstatSync(dest, { throwIfNoEntry: false })) throw new ApiError('CONFLICT', `${dest} appeared meanwhile: nothing was replaced.`, { path: dest });
    await fs.promises.rename(tmp, dest);
  }
}

/**
 * Places one file. `root` is the real target folder: the destination's folder, once made, must
 * really be inside it (a link planted among its sub-folders is refused, never written through).
 */
export async function placeFile(src: SourceFile, dest: string, opts: { mode: ExportMode; replace: boolean; root: string; cacheRoot: string }): Promise<void> {
  const dir = path.dirname(dest);
  await fs.promises.mkdir(dir, { recursive: true });
  const realDir = await fs.promises.realpath(dir);
  if (!isInside(await fs.promises.realpath(opts.root), realDir))
    throw new ApiError('INVALID_PATH', `${dir} leads out of ${opts.root} (it is really ${realDir}): nothing was placed.`);
  const tmp = path.join(realDir, `.hubcap-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await make(src, tmp, opts.mode, opts.cacheRoot);
    await commit(tmp, path.join(realDir, path.basename(dest)), opts.replace);
  } finally {
    await fs.promises.rm(tmp, { force: true });
  }
}
