/**
 * What the mirror can answer from the cache: a repo's revision (by commit, short commit, branch,
 * tag or refs/pr/N), its files with the ids the Hub gives them, and whether that listing is the
 * whole commit. Read from the cache's own scan and `trees/` records, never a second reader.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { CacheScan, CachedRepo } from '../cache/scan';
import { readTreeRecord } from '../cache/tree-record';
import { isEtag } from '../hub/blob-id';
import { COMMIT_RE, type RepoRef } from '../hub/repo-id';

export interface MirrorFile {
  path: string;
  size: number;
  /** The blob name: sha256 for LFS files, git's blob sha1 otherwise (docs/hub-protocol.md §1.3). */
  etag: string;
  lfs: boolean;
  /** The tree entry's `oid`: the git blob sha1 (of the pointer text, for an LFS file). */
  gitOid: string;
  /** Where its bytes are, or null when the cache lists the file but does not hold it. */
  blobPath: string | null;
}

export interface MirrorRevision {
  repo: RepoRef;
  commit: string;
  /** The listing is the commit's whole tree (a `trees/` record says so), not just what is held. */
  complete: boolean;
  files: MirrorFile[];
  lastModified: number;
}

/** The LFS pointer text git stores for a file, and its git blob sha1 (what the Hub's tree calls `oid`). */
export function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}

export function gitBlobSha1(data: string | Buffer): string {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

export function findCached(scan: CacheScan, repo: RepoRef): CachedRepo | null {
  return scan.repos.find((r) => r.type === repo.type && r.id === repo.id) ?? null;
}

/**
 * The commit a revision names in the cache: a full commit with a snapshot, a unique prefix of at
 * least 7 hex digits (as the Hub takes them), or a ref (branch, tag, refs/pr/N). Null when unknown.
 */
export function resolveCachedRevision(repo: CachedRepo, revision: string): string | null {
  if (COMMIT_RE.test(revision)) return repo.revisions.some((r) => r.commit === revision) ? revision : null;
  const ref = repo.refs[revision];
  if (ref) return ref;
  if (/^[0-9a-f]{7,39}$/.test(revision)) {
    const hits = repo.revisions.filter((r) => r.commit.startsWith(revision));
    if (hits.length === 1) return (hits[0] as { commit: string }).commit;
  }
  return null;
}

/**
 * A commit's files. With a `trees/` record the listing is the commit's whole tree (files the cache
 * does not hold have no blob); without one it is what the snapshot holds, named from the link to
 * its blob. A copy with no record (a cache written without links) has no name to trust: left out.
 */
export function revisionFiles(repo: CachedRepo, commit: string): MirrorRevision | null {
  const rev = repo.revisions.find((r) => r.commit === commit);
  if (!rev) return null;
  const ref: RepoRef = { type: repo.type, id: repo.id };
  const held = new Map(rev.files.map((f) => [f.path, f]));
  const record = readTreeRecord(repo.path, commit);
  const files: MirrorFile[] = [];
  if (record) {
    for (const [p, entry] of record) {
      const f = held.get(p);
      files.push(describe(p, entry.size, entry.etag, entry.lfs, f && f.size === entry.size ? f.blobPath : null));
    }
  } else {
    for (const f of rev.files) {
      const name = f.linked ? path.basename(f.blobPath) : '';
      if (!isEtag(name)) continue;
      files.push(describe(f.path, f.size, name, name.length === 64, f.blobPath));
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { repo: ref, commit, complete: record !== null, files, lastModified: rev.lastModified };
}

function describe(p: string, size: number, etag: string, lfs: boolean, blobPath: string | null): MirrorFile {
  return { path: p, size, etag, lfs, gitOid: lfs ? gitBlobSha1(lfsPointer(etag, size)) : etag, blobPath };
}
