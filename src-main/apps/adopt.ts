/**
 * "Add to Hugging Face cache": an identified file's bytes become `blobs/<sha256>` of its repo,
 * under the same blob lock huggingface_hub takes, by the cheapest way the disks allow: a
 * copy-on-write clone (no space, independent copies), else a hard link (no space, but the two
 * names share the bytes), else a copy. The source is never written. Then an ordinary Hubcap
 * download of that file finds the blob and writes the rest exactly as Python does (snapshot link,
 * refs, trees/ record), fetching no byte of it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AdoptMode, AdoptPlanStep, Identification } from '../contract/apps';
import { ApiError } from '../contract/errors';
import { blobLockPath, lockFile } from '../cache/blob-lock';
import { blobPath, ensureCacheDir, repoDir, repoFolderName } from '../cache/layout';

type How = AdoptPlanStep['how'];

/** The nearest folder that exists (the cache's blobs folder may not yet), for "same disk?" checks. */
function existingAncestor(p: string): string {
  let dir = p;
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

async function place(src: string, dest: string, how: Exclude<How, 'present'>): Promise<void> {
  if (how === 'clone') await fs.promises.copyFile(src, dest, fs.constants.COPYFILE_FICLONE_FORCE | fs.constants.COPYFILE_EXCL);
  else if (how === 'link') await fs.promises.link(src, dest);
  else await fs.promises.copyFile(src, dest, fs.constants.COPYFILE_EXCL);
}

/** Clone, then link, then copy, as the mode allows; each tried for real (a failed clone writes nothing). */
function order(mode: AdoptMode): Exclude<How, 'present'>[] {
  return mode === 'auto' ? ['clone', 'link', 'copy'] : [mode];
}

/** Why a way failed, in words (the next one is tried in auto mode). */
function whyNot(how: Exclude<How, 'present'>, error: NodeJS.ErrnoException): string {
  if (how === 'clone') return 'this file system cannot clone files (reflinks need btrfs, XFS, APFS or ReFS, both files on one volume)';
  if (how === 'link' && error.code === 'EXDEV') return 'the file and the cache are on different drives';
  if (error.code === 'ENOSPC') return 'the disk is full';
  return error.message;
}

/**
 * Puts the blob in place (or finds it there) and says how. `dryRun` tries the same ways into a temp
 * name and removes it at once: a clone or a link costs no space, so only a copy is not tried.
 */
export async function placeBlob(cacheDir: string, id: Identification, mode: AdoptMode, dryRun: boolean): Promise<AdoptPlanStep> {
  const repo = { type: 'model' as const, id: id.repo };
  const dir = repoDir(cacheDir, repo);
  const blob = blobPath(dir, id.sha256);
  const step = (how: How): AdoptPlanStep => ({ path: id.path, file: id.file, size: id.size, how, bytes: how === 'copy' ? id.size : 0 });
  const present = () => fs.statSync(blob, { throwIfNoEntry: false })?.size === id.size;
  if (present()) return step('present');
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
        await place(id.path, tmp, how);
        const st = await fs.promises.stat(tmp);
        if (st.size !== id.size) throw Object.assign(new Error(`it came out at ${st.size} bytes, not ${id.size}`), { code: 'EIO' });
        if (dryRun) {
          await fs.promises.rm(tmp, { force: true });
          return step(how);
        }
        await fs.promises.rename(tmp, blob);
        return step(how);
      } catch (error) {
        await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
        reasons.push(`${how}: ${whyNot(how, error as NodeJS.ErrnoException)}`);
      }
    }
    const sameDrive = fs.statSync(existingAncestor(path.dirname(blob))).dev === fs.statSync(id.path).dev;
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
 * Replaces a cache blob by a clone (else a hard link) of the same bytes elsewhere on its volume,
 * atomically (a temp name, then rename over it), under the blob's lock. The caller has confirmed
 * by sha256 that the bytes are the same.
 */
export async function shareBlob(cacheDir: string, repoFolder: string, blob: string, source: string): Promise<'clone' | 'link'> {
  const lock = await lockFile(blobLockPath(cacheDir, repoFolder, path.basename(blob)));
  try {
    const reasons: string[] = [];
    for (const how of ['clone', 'link'] as const) {
      const tmp = `${blob}.${randomUUID()}.sharing`;
      try {
        await place(source, tmp, how);
        if ((await fs.promises.stat(tmp)).size !== (await fs.promises.stat(blob)).size) throw Object.assign(new Error('the sizes differ'), { code: 'EIO' });
        await fs.promises.rename(tmp, blob);
        return how;
      } catch (error) {
        await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
        reasons.push(`${how}: ${whyNot(how, error as NodeJS.ErrnoException)}`);
      }
    }
    throw new ApiError('NOT_AVAILABLE', `Could not share ${path.basename(blob)} with ${source} (${reasons.join('; ')}).`);
  } finally {
    await lock.release();
  }
}
