/** Small, valid contract values for renderer tests. */
import type { DownloadJob } from '../../src-main/contract/downloads';
import type { CacheOverview, CacheRepoView } from '../../src-main/contract/cache';

let n = 0;
export function job(over: Partial<DownloadJob> = {}): DownloadJob {
  n++;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    request: { repoType: 'model', repo: 'acme/tiny', revision: 'main' },
    cacheDir: '/cache',
    commit: null,
    files: [],
    state: 'queued',
    error: null,
    createdAt: '2026-12-01T00:00:00.000Z',
    finishedAt: null,
    bytesDone: 0,
    bytesTotal: 0,
    speed: 0,
    etaSeconds: null,
    retrying: null,
    skipped: [],
    ...over,
  };
}

export function repo(over: Partial<CacheRepoView> = {}): CacheRepoView {
  return {
    key: 'model:acme/tiny',
    type: 'model',
    id: 'acme/tiny',
    path: '/cache/models--acme--tiny',
    sizeOnDisk: 10,
    sharedBytes: 0,
    sharedWith: [],
    nbFiles: 1,
    lastAccessed: 0,
    lastModified: 0,
    revisions: [],
    ...over,
  };
}

export function scan(over: Partial<CacheOverview> = {}): CacheOverview {
  return {
    root: '/cache',
    exists: true,
    sizeOnDisk: 0,
    store: { state: 'none', path: '/cache/blobs', payloads: 0, bytes: 0, sharedBytes: 0, unlinked: [] },
    repos: [],
    orphans: [],
    incomplete: [],
    warnings: [],
    scannedAt: '2026-12-01T00:00:00.000Z',
    ...over,
  };
}
