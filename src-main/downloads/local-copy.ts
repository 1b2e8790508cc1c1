/**
 * Deduplication on this machine (#25 point 4, first part): a blob with the same name (sha256) in
 * another repo folder of the same cache, as a second repo or a fork holding the same file has, is
 * copied (cloned where the file system can) instead of downloaded, then verified like any download
 * before it takes the blob's name. Another repo's blob is someone else's file: opened as untrusted,
 * regular files only; a copy whose hash is wrong is dropped and the file downloaded as usual.
 * Files in Python's shared blob store are the cache's business (cache/store-publish.ts).
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { copyUntrusted, lstatUntrusted, openUntrusted } from '../base/untrusted-file';
import { blobsDir } from '../cache/layout';
import { createDiskHasher } from './hasher';
import { INCOMPLETE_SUFFIX } from './range-state';

const REPO_FOLDER = /^(models|datasets|spaces)--/;

/** Other repo folders' regular blobs of this name and size. */
async function candidates(cacheDir: string, repoFolder: string, etag: string, size: number): Promise<string[]> {
  const names = await fs.promises.readdir(cacheDir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const name of names) {
    if (name === repoFolder || !REPO_FOLDER.test(name)) continue;
    const blob = path.join(blobsDir(path.join(cacheDir, name)), etag);
    const st = await lstatUntrusted(blob).catch(() => null);
    if (st?.isFile() && st.size === size) out.push(blob);
  }
  return out;
}

/**
 * Copies a verified local blob of this name to `finalPath` (call under the blob's lock); returns
 * the source used, or null when there is none that checks out.
 */
export async function copyLocalBlob(
  cacheDir: string,
  repoFolder: string,
  etag: string,
  size: number,
  finalPath: string,
  signal: AbortSignal,
): Promise<string | null> {
  for (const src of await candidates(cacheDir, repoFolder, etag, size)) {
    if (signal.aborted) return null;
    const tmp = path.join(path.dirname(finalPath), `${etag}.${randomBytes(4).toString('hex')}.copy${INCOMPLETE_SUFFIX}`);
    let ok = false;
    try {
      await copyUntrusted(src, tmp, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
      const { fh } = await openUntrusted(tmp);
      try {
        const hasher = createDiskHasher(fh.fd, etag, size, false);
        hasher.advance(size);
        ok = (await hasher.digest().catch(() => null)) === etag && (await fh.stat()).size === size;
        await hasher.dispose();
      } finally {
        await fh.close();
      }
      if (ok) {
        await fs.promises.rename(tmp, finalPath);
        return src;
      }
    } catch {
      // gone, unreadable or not a regular file: try the next, else download
    } finally {
      if (!ok) await fs.promises.rm(tmp, { force: true });
    }
  }
  return null;
}
