/**
 * What the cache holds of one repo, by blob, and a model page built from the cache alone (offline
 * mode): the files of a cached revision (the recorded listing when there is one, so files not
 * downloaded still show), its refs, and the card when README.md is cached.
 */
import path from 'node:path';
import type { CachePresence } from '../contract/cache';
import { ApiError } from '../contract/errors';
import { repoKey, type RepoRef } from '../contract/keys';
import type { ModelDetails, ModelFile } from '../contract/model';
import { groupFiles } from '../hub/file-groups';
import { BODY_LIMITS } from '../hub/limits';
import { cardBody } from '../hub/model-card';
import { isEtag } from '../hub/blob-id';
import { findCachedRepo, type CacheScan, type CachedRepo } from './scan';
import { readTreeRecord } from './tree-record';
import { readUntrustedSync } from '../base/untrusted-file';

/** A linked file's blob name; a copy (symlink-less cache) has none we can trust without hashing. */
function etagOf(blobPath: string, linked: boolean): string | null {
  const name = path.basename(blobPath);
  return linked && isEtag(name) ? name : null;
}

export function presence(scan: CacheScan, key: string): CachePresence {
  const repo = findCachedRepo(scan, key);
  if (!repo) return { repo: key, inCache: false, blobs: [] };
  const blobs = new Map<string, CachePresence['blobs'][number]>();
  for (const rev of repo.revisions) {
    for (const f of rev.files) {
      const etag = etagOf(f.blobPath, f.linked);
      if (!etag) continue;
      const entry = blobs.get(etag) ?? { etag, size: f.size, uses: [] };
      entry.uses.push({ commit: rev.commit, path: f.path });
      blobs.set(etag, entry);
    }
  }
  return { repo: repoKey(repo), inCache: true, blobs: [...blobs.values()] };
}

function cachedRevision(repo: CachedRepo, revision: string) {
  const commit = repo.refs[revision] ?? (/^[0-9a-f]{7,40}$/.test(revision) ? repo.revisions.find((r) => r.commit.startsWith(revision))?.commit : undefined);
  return commit ? repo.revisions.find((r) => r.commit === commit) : undefined;
}

function readCard(file: string, cacheDir: string): string | null {
  try {
    // The snapshot's README is a link to its blob: followed only inside the cache (never to a file elsewhere).
    return cardBody(readUntrustedSync(file, BODY_LIMITS.card, { root: cacheDir, followLinks: true }).toString('utf8'));
  } catch {
    return null;
  }
}

/** The model page of a cached repo, from the cache alone. */
export function cachedModelDetails(scan: CacheScan, repoRef: RepoRef, revision: string, hubUrl: string): ModelDetails {
  const repo = findCachedRepo(scan, repoKey(repoRef));
  if (!repo) throw new ApiError('OFFLINE', `Offline mode is on, and ${repoRef.id} is not in the cache.`);
  const rev = cachedRevision(repo, revision);
  if (!rev) {
    const known = Object.keys(repo.refs).sort();
    throw new ApiError(
      'OFFLINE',
      `Offline mode is on, and revision "${revision}" of ${repo.id} is not in the cache${known.length ? ` (cached: ${known.join(', ')})` : ''}.`,
      { repo: repo.id, revision },
    );
  }
  const record = readTreeRecord(repo.path, rev.commit);
  const files: ModelFile[] = record
    ? [...record].map(([p, r]) => ({ path: p, size: r.size, lfs: r.lfs, etag: r.etag }))
    : rev.files.map((f) => ({ path: f.path, size: f.size, lfs: false, etag: etagOf(f.blobPath, f.linked) ?? '' }));
  const readme = rev.files.find((f) => f.path === 'README.md');
  const card = readme ? readCard(path.join(rev.snapshotPath, 'README.md'), path.dirname(repo.path)) : null;
  return {
    id: repo.id,
    revision,
    sha: rev.commit,
    gated: false,
    private: false,
    downloads: 0,
    likes: 0,
    lastModified: new Date(rev.lastModified).toISOString(),
    pipelineTag: null,
    tags: [],
    parameters: null,
    branches: Object.keys(repo.refs).sort(),
    tags_: [],
    groups: groupFiles(files),
    card,
    cardNote: card ? null : 'Offline: the model card is not in the cache.',
    url: `${hubUrl}/${repo.id}`,
    source: 'cache',
  };
}
