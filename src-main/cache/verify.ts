/**
 * Verifying a cached repo: every file is rehashed against the hash it should have. For a linked
 * file that is its blob's name (sha256 for LFS blobs, git blob sha1 for regular files); a copy in a
 * symlink-less cache carries no name, so its hash comes from the recorded listing of its commit
 * (`trees/<commit>.json`) or, online, from the Hub's listing. A file with neither is reported as
 * unverifiable, never silently counted as fine.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CachedRepo } from './scan';
import { readTreeRecord } from './tree-record';
import { hashAlgorithm, isEtag } from '../hub/blob-id';
import { untrustedReadStream, type UntrustedOpenOptions } from '../base/untrusted-file';

export interface BlobCheck {
  blobPath: string;
  etag: string;
  ok: boolean;
  actual: string;
  /** `<commit8>/<path>` of every file using it. */
  files: string[];
  /** The same, as commit and path (for a repair). */
  uses: { commit: string; path: string }[];
  /** The blob has other names (a hard link to another app's file): a mismatch is that program writing in place. */
  hardLinked: boolean;
}

export interface RepoVerification {
  checks: BlobCheck[];
  /** Copies whose expected hash nobody knows (no recorded listing, offline). */
  unverifiable: string[];
}

/** The Hub's blob names for a commit (path → etag), when it can be asked; null otherwise. */
export type ExpectedHashes = (commit: string) => Promise<Map<string, string> | null>;

/** Others write the cache: a blob may be a FIFO or a link out of it, so it is opened as untrusted. */
async function digestFile(file: string, algo: (size: number) => Hash, opts: UntrustedOpenOptions): Promise<string> {
  const { stream, stat } = await untrustedReadStream(file, { ...opts, highWaterMark: 1 << 20 });
  const h = algo(stat.size);
  for await (const chunk of stream) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function sha256File(file: string, opts: UntrustedOpenOptions = {}): Promise<string> {
  return digestFile(file, () => createHash('sha256'), opts);
}

/**
 * Hashes a file the way its blob name is made: sha256 (64-hex etag) or git's blob sha1 (40-hex).
 * `opts.root` with `followLinks` lets a snapshot link (or a 2.x shared-store link) lead inside the cache.
 */
export async function hashBlob(file: string, etag: string, opts: UntrustedOpenOptions = {}): Promise<string> {
  return digestFile(
    file,
    (size) => {
      const { algo, prefix } = hashAlgorithm(etag, size);
      const h = createHash(algo);
      if (prefix) h.update(prefix);
      return h;
    },
    opts,
  );
}

export async function verifyRepo(
  repo: CachedRepo,
  opts: { expected?: ExpectedHashes; onProgress?: (done: number, total: number) => void } = {},
): Promise<RepoVerification> {
  const blobs = new Map<string, { etag: string; uses: { commit: string; path: string }[] }>();
  const unverifiable: string[] = [];
  for (const rev of repo.revisions) {
    let known: Map<string, string> | null | undefined;
    for (const f of rev.files) {
      let etag: string | undefined;
      if (f.linked) etag = path.basename(f.blobPath);
      else {
        if (known === undefined) {
          const record = readTreeRecord(repo.path, rev.commit);
          known = record ? new Map([...record].map(([p, r]) => [p, r.etag])) : ((await opts.expected?.(rev.commit).catch(() => null)) ?? null);
        }
        etag = known?.get(f.path);
      }
      if (!etag || !isEtag(etag)) {
        unverifiable.push(`${rev.commit.slice(0, 8)}/${f.path}`);
        continue;
      }
      const entry = blobs.get(f.blobPath) ?? { etag, uses: [] };
      entry.uses.push({ commit: rev.commit, path: f.path });
      blobs.set(f.blobPath, entry);
    }
  }
  const checks: BlobCheck[] = [];
  let done = 0;
  for (const [blobPath, { etag, uses }] of blobs) {
    const actual = await hashBlob(blobPath, etag, { root: path.dirname(repo.path), followLinks: true }).catch(() => 'unreadable');
    const st = await fs.promises.lstat(blobPath).catch(() => null);
    const hardLinked = Boolean(st?.isFile() && st.nlink > 1);
    checks.push({ blobPath, etag, ok: actual === etag, actual, uses, files: uses.map((u) => `${u.commit.slice(0, 8)}/${u.path}`), hardLinked });
    opts.onProgress?.(++done, blobs.size);
  }
  return { checks, unverifiable };
}
