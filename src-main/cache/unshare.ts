/**
 * Gives a hard-linked cache blob its own bytes again. A blob placed by hard link (an adoption or a
 * reclaim the user asked for, or another tool) shares its inode with another app's file: that app
 * rewriting its file in place changes the cached model. Here the blob becomes a copy-on-write clone
 * where the file system has one, else a copy: made beside it under the blob's lock, checked against
 * the blob's name, then renamed over it, so a failure leaves the blob as it was.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { copyUntrusted } from '../base/untrusted-file';
import { blobLockPath, lockFile } from './blob-lock';
import { CACHE_NAMES } from './layout';
import { hashBlob } from './verify';

export interface UnshareResult {
  how: 'clone' | 'copy';
  /** Bytes the copy took on disk (0 for a clone). */
  bytes: number;
}

export async function unshareBlob(cacheDir: string, repoFolder: string, blob: string): Promise<UnshareResult> {
  const etag = path.basename(blob);
  const lock = await lockFile(blobLockPath(cacheDir, repoFolder, etag));
  try {
    const st = await fs.promises.lstat(blob);
    if (!st.isFile()) throw new ApiError('CONFLICT', `${etag} is not a regular file in the cache (a link into the shared store is not a hard link).`);
    if (st.nlink <= 1) throw new ApiError('CONFLICT', `${etag} already has its own bytes.`);
    const reasons: string[] = [];
    for (const how of ['clone', 'copy'] as const) {
      // Named like a partial, so a crash leaves something `hf cache prune` removes.
      const tmp = `${blob}.${randomBytes(4).toString('hex')}${CACHE_NAMES.incomplete}`;
      try {
        await copyUntrusted(blob, tmp, fs.constants.COPYFILE_EXCL | (how === 'clone' ? fs.constants.COPYFILE_FICLONE_FORCE : 0));
        if ((await hashBlob(tmp, etag)) !== etag)
          throw new ApiError('INTEGRITY', `${etag}'s bytes no longer match its name (the other program changed them): re-download it instead.`);
        await fs.promises.rename(tmp, blob);
        return { how, bytes: how === 'copy' ? st.size : 0 };
      } catch (error) {
        await fs.promises.rm(tmp, { force: true });
        if (error instanceof ApiError) throw error;
        reasons.push(`${how}: ${(error as NodeJS.ErrnoException).code === 'ENOSPC' ? 'the disk is full' : (error as Error).message}`);
      }
    }
    throw new ApiError('DISK_ERROR', `Could not give ${etag} its own copy (${reasons.join('; ')}).`);
  } finally {
    await lock.release();
  }
}
