/**
 * What a stopped job leaves behind: its partials deleted (unless someone holds the blob's lock),
 * and a repo folder it made but never filled removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { blobLockPath, tryLockFile } from '../cache/blob-lock';
import { blobsDir, CACHE_NAMES, refsDir, repoDir, repoFolderName, snapshotsDir } from '../cache/layout';
import type { RepoRef } from '../hub/repo-id';
import { isPartialOf } from './partial-file';

/** Deletes the partials of a blob, but only when nobody (Python, another Hubcap) holds its lock. */
export async function removePartials(cacheDir: string, repo: RepoRef, etag: string): Promise<void> {
  const lock = await tryLockFile(blobLockPath(cacheDir, repoFolderName(repo), etag)).catch(() => null);
  if (!lock) return;
  try {
    const blobs = blobsDir(repoDir(cacheDir, repo));
    for (const name of fs.existsSync(blobs) ? fs.readdirSync(blobs) : []) {
      if (isPartialOf(name, etag)) await fs.promises.rm(path.join(blobs, name), { force: true });
    }
  } finally {
    await lock.release();
  }
}

/**
 * A job that stopped before any file landed (gated, not found, cancelled) must not leave a
 * half-made repo folder behind: the Cache page would list it, and Python's scan_cache_dir rejects
 * one without snapshots.
 */
export function removeIfEmpty(dir: string): void {
  try {
    const entries = fs.readdirSync(dir);
    const N = CACHE_NAMES;
    const blobs = fs.existsSync(blobsDir(dir)) ? fs.readdirSync(blobsDir(dir)) : [];
    const snaps = fs.existsSync(snapshotsDir(dir)) ? fs.readdirSync(snapshotsDir(dir)) : [];
    if (blobs.length === 0 && snaps.length === 0 && entries.every((e) => ([N.blobs, N.snapshots, N.noExist, N.refs, N.trees] as string[]).includes(e))) {
      if (entries.includes(N.refs) && fs.readdirSync(refsDir(dir)).length > 0) return;
      if (entries.includes(N.noExist)) return;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    // nothing there
  }
}
