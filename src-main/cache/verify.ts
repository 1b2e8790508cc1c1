/**
 * Verifying a cached repo: every blob is rehashed against its name (sha256 for LFS blobs named by
 * a 64-hex etag, git blob sha1 for regular files named by a 40-hex etag).
 */
import { createHash, type Hash } from 'node:crypto';
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

async function digestFile(file: string, h: Hash): Promise<string> {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function sha256File(file: string): Promise<string> {
  return digestFile(file, createHash('sha256'));
}

/** Hashes a blob the way its name was made: sha256 (64-hex etag) or git's blob sha1 (40-hex). */
export async function hashBlob(file: string, etag: string): Promise<string> {
  if (etag.length === 64) return sha256File(file);
  const h = createHash('sha1');
  h.update(`blob ${(await fs.promises.stat(file)).size}\0`);
  return digestFile(file, h);
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
