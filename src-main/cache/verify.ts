/**
 * Verifying a cached repo: every blob is rehashed against its name (sha256 for LFS blobs named by
 * a 64-hex etag, git blob sha1 for regular files named by a 40-hex etag).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CachedRepo } from './scan';

export interface BlobCheck {
  blobPath: string;
  etag: string;
  ok: boolean;
  actual: string;
  files: string[];
}

export async function hashBlob(file: string, etag: string): Promise<string> {
  const size = (await fs.promises.stat(file)).size;
  const h = etag.length === 64 ? createHash('sha256') : createHash('sha1');
  if (etag.length !== 64) h.update(`blob ${size}\0`);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function verifyRepo(repo: CachedRepo, onProgress?: (done: number, total: number) => void): Promise<BlobCheck[]> {
  const blobs = new Map<string, string[]>();
  for (const rev of repo.revisions) {
    for (const f of rev.files) {
      if (!f.linked) continue; // copies in no-symlink caches carry no etag in their name
      const list = blobs.get(f.blobPath) ?? [];
      list.push(`${rev.commit.slice(0, 8)}/${f.path}`);
      blobs.set(f.blobPath, list);
    }
  }
  const out: BlobCheck[] = [];
  let done = 0;
  for (const [blobPath, files] of blobs) {
    const etag = path.basename(blobPath);
    if (!/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(etag)) continue;
    const actual = await hashBlob(blobPath, etag);
    out.push({ blobPath, etag, ok: actual === etag, actual, files });
    onProgress?.(++done, blobs.size);
  }
  return out;
}
