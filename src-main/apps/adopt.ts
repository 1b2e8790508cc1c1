/**
 * "Add to Hugging Face cache": an identified file's bytes become `blobs/<sha256>` of its repo,
 * under the same blob lock huggingface_hub takes: a copy-on-write clone where the disk can (no
 * space, independent copies), else a copy. A hard link only when the user asks for it: the two
 * names then share the bytes, and another app rewriting its file in place would change the cache.
 * The source is never written. Then an ordinary Hubcap download of that file finds the blob and
 * writes the rest exactly as Python does (snapshot link, refs, trees/ record), fetching no byte.
 *
 * The source is another app's: it is resolved to a regular file whose real path is inside that
 * app's folder (never a link, a FIFO or a device), and the new name is verified (a regular file;
 * for a link, the very inode examined; its sha256 the expected one) before it is renamed into
 * place, so any failure leaves the cache as it was.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AdoptMode, AdoptPlanStep, Identification } from '../contract/apps';
import { ApiError } from '../contract/errors';
import { blobLockPath, lockFile } from '../cache/blob-lock';
import { blobPath, ensureCacheDir, repoDir, repoFolderName } from '../cache/layout';
import { sha256File } from '../cache/verify';
import { copyUntrusted, describeKind, isInside, openUntrusted } from '../base/untrusted-file';

type How = AdoptPlanStep['how'];

/** The nearest folder that exists (the cache's blobs folder may not yet), for "same disk?" checks. */
function existingAncestor(p: string): string {
  let dir = p;
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

async function place(src: string, dest: string, how: Exclude<How, 'present'>): Promise<void> {
  // The copy reads the file it opened and checked (a FIFO swapped in meanwhile is never opened); a link never follows one.
  if (how === 'clone') await copyUntrusted(src, dest, fs.constants.COPYFILE_FICLONE_FORCE | fs.constants.COPYFILE_EXCL);
  else if (how === 'link') await fs.promises.link(src, dest);
  else await copyUntrusted(src, dest, fs.constants.COPYFILE_EXCL);
}

/** Clone, then copy; a hard link only when asked for by name. Each tried for real (a failed clone writes nothing). */
function order(mode: AdoptMode): Exclude<How, 'present'>[] {
  return mode === 'auto' ? ['clone', 'copy'] : [mode];
}

/** The regular file another app's path stands for: checked, inside `root`, never a link itself. */
export interface SourceFile {
  /** Its real path (a link inside the app's folder resolved). */
  real: string;
  dev: number;
  ino: number;
  size: number;
}

/**
 * Resolves `p` to the regular file it names inside `root` (an app's folder: a relative link there,
 * as Ollama's store may have, is followed; a link out of it, a FIFO or a device is refused).
 */
export async function resolveSource(p: string, root: string): Promise<SourceFile> {
  const { fh, stat, realPath } = await openUntrusted(p, { root, followLinks: true });
  await fh.close();
  const real = await fs.promises.realpath(realPath);
  return { real, dev: stat.dev, ino: stat.ino, size: stat.size };
}

/** The same checks without opening, for a plan: the file's identity, or why it cannot be used. */
export function sourceFileSync(p: string, root: string): { dev: number; ino: number } | string {
  try {
    let st = fs.lstatSync(p);
    const real = fs.realpathSync(p);
    if (!isInside(fs.realpathSync(root), real)) return `it is outside its app's folder (it is really ${real})`;
    if (st.isSymbolicLink()) st = fs.lstatSync(real);
    if (!st.isFile()) return `it is ${describeKind(st)}`;
    return { dev: st.dev, ino: st.ino };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it is missing (or a broken link)' : (error as Error).message;
  }
}

/**
 * Checks the new name before it replaces anything: a regular file of the source's size; a hard
 * link must be the very inode examined (link(2) never follows a link, and a swapped source would
 * show here); and its bytes hash to `sha256`, so a file rewritten since it was identified is refused.
 */
async function verifyPlaced(tmp: string, src: SourceFile, how: Exclude<How, 'present'>, sha256: string): Promise<void> {
  const st = await fs.promises.lstat(tmp);
  const fail = (why: string) => Object.assign(new Error(why), { code: 'EIO' });
  if (!st.isFile()) throw fail('the new name is not a regular file');
  if (how === 'link' && (st.dev !== src.dev || st.ino !== src.ino)) throw fail('the link does not lead to the file that was checked');
  if (st.size !== src.size) throw fail(`it came out at ${st.size} bytes, not ${src.size}`);
  const actual = await sha256File(tmp);
  if (actual !== sha256) throw fail(`its bytes changed since they were checked (sha256 ${actual.slice(0, 12)}…, expected ${sha256.slice(0, 12)}…)`);
}

/** Why a way failed, in words (the next one is tried in auto mode). */
function whyNot(how: Exclude<How, 'present'>, error: NodeJS.ErrnoException): string {
  // A check of the new name failed, or the source was refused: that reason, not the way's.
  if (error.code === 'EIO' || error instanceof ApiError) return error.message;
  if (how === 'clone') return 'this file system cannot clone files (reflinks need btrfs, XFS, APFS or ReFS, both files on one volume)';
  if (how === 'link' && error.code === 'EXDEV') return 'the file and the cache are on different drives';
  if (error.code === 'ENOSPC') return 'the disk is full';
  return error.message;
}

/**
 * Puts the blob in place (or finds it there) and says how. `root` is the folder of the app the file
 * belongs to. `dryRun` tries the same ways into a temp name and removes it at once: a clone or a
 * link costs no space, so only a copy is not tried.
 */
export async function placeBlob(cacheDir: string, id: Identification, mode: AdoptMode, dryRun: boolean, root: string): Promise<AdoptPlanStep> {
  const repo = { type: 'model' as const, id: id.repo };
  const dir = repoDir(cacheDir, repo);
  const blob = blobPath(dir, id.sha256);
  const step = (how: How): AdoptPlanStep => ({ path: id.path, file: id.file, size: id.size, how, bytes: how === 'copy' ? id.size : 0 });
  const present = () => fs.statSync(blob, { throwIfNoEntry: false })?.size === id.size;
  if (present()) return step('present');
  const src = await resolveSource(id.path, root);
  if (src.size !== id.size) throw new ApiError('CONFLICT', `${id.path} changed since it was identified (its size is now ${src.size}).`);
  if (!dryRun) {
    ensureCacheDir(cacheDir);
    await fs.promises.mkdir(path.dirname(blob), { recursive: true });
  }
  const lock = dryRun ? null : await lockFile(blobLockPath(cacheDir, repoFolderName(repo), id.sha256));
  try {
    if (present()) return step('present');
    const reasons: string[] = [];
    for (const how of order(mode)) {
      if (dryRun && how === 'copy') {
        const free = await fs.promises.statfs(existingAncestor(path.dirname(blob))).catch(() => null);
        if (free && free.bavail * free.bsize < id.size) reasons.push(`a copy needs ${id.size} bytes and the cache's disk has ${free.bavail * free.bsize}`);
        else return step('copy');
        continue;
      }
      // A dry run tries beside the nearest existing folder of the cache (same volume), creating no repo folder.
      const tmp = dryRun ? path.join(existingAncestor(path.dirname(blob)), `.hubcap-adopt-probe-${randomUUID()}`) : `${blob}.${randomUUID()}.adopting`;
      try {
        await place(src.real, tmp, how);
        if (dryRun) {
          await fs.promises.rm(tmp, { force: true });
          return step(how);
        }
        await verifyPlaced(tmp, src, how, id.sha256);
        await fs.promises.rename(tmp, blob);
        return step(how);
      } catch (error) {
        await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
        reasons.push(`${how}: ${whyNot(how, error as NodeJS.ErrnoException)}`);
      }
    }
    const sameDrive = fs.statSync(existingAncestor(path.dirname(blob))).dev === src.dev;
    throw new ApiError(
      mode === 'copy' && reasons.some((r) => r.includes('disk is full')) ? 'DISK_FULL' : 'NOT_AVAILABLE',
      `Could not add ${path.basename(id.path)} to the Hugging Face cache (${reasons.join('; ')}).${sameDrive ? '' : ' Choose copy (it takes the file’s size on the cache’s drive), or move the cache to the drive the file is on (Settings).'}`,
      { reasons },
    );
  } finally {
    await lock?.release();
  }
}

/**
 * Replaces a cache blob by a clone (or, when the user allows it, a hard link) of the same bytes in
 * another app's folder, under the blob's lock: the new name is made beside the blob, verified, and
 * only then renamed over it, so on any failure the cache's own copy stays as it was.
 */
export async function shareBlob(
  cacheDir: string,
  repoFolder: string,
  blob: string,
  source: { path: string; root: string; sha256: string },
  allowLink: boolean,
): Promise<'clone' | 'link'> {
  const lock = await lockFile(blobLockPath(cacheDir, repoFolder, path.basename(blob)));
  try {
    const src = await resolveSource(source.path, source.root);
    const current = await fs.promises.lstat(blob);
    if (!current.isFile()) throw new ApiError('CONFLICT', `${blob} is no longer a regular file; nothing was changed.`);
    const reasons: string[] = [];
    for (const how of allowLink ? (['clone', 'link'] as const) : (['clone'] as const)) {
      const tmp = `${blob}.${randomUUID()}.sharing`;
      try {
        await place(src.real, tmp, how);
        await verifyPlaced(tmp, src, how, source.sha256);
        await fs.promises.rename(tmp, blob);
        return how;
      } catch (error) {
        await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
        reasons.push(`${how}: ${whyNot(how, error as NodeJS.ErrnoException)}`);
      }
    }
    throw new ApiError('NOT_AVAILABLE', `Could not share ${path.basename(blob)} with ${source.path} (${reasons.join('; ')}).`, { reasons });
  } finally {
    await lock.release();
  }
}
