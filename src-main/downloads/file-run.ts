/**
 * One file of a job, from "pending" to "in the snapshot": linked from huggingface_hub's shared
 * store when it holds the file (#24.3), or waiting for another job of ours already fetching the
 * same blob, or fetched (blob-fetch.ts) with the job's progress, retries and connections shown; a
 * blob someone else put there is hashed before it counts (#24.4); a fresh Xet blob is published
 * into the shared store; then the snapshot entry and the ref are written.
 */
import { blobPath, linkSnapshotFile, repoDir, repoFolderName, symlinksSupported, writeRef } from '../cache/layout';
import { presentBlobIsRight, rememberVerified } from '../cache/payload-hash';
import { linkFromStore, publishToStore, storeInUse, type StoreFile, type StorePolicy } from '../cache/store-publish';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import type { RepoRef } from '../hub/repo-id';
import { repoPageUrl, resolveUrl } from '../hub/resolve';
import { fetchBlob, type BlobFetchOptions, type BlobRequest } from './blob-fetch';
import type { ConnectionBudget } from './connection-controller';
import type { JobEvents } from './job-events';
import type { DownloadJob, JobFile } from './types';
import { xetRefreshUrl } from './xet-blob';

/** What a file run needs of the manager. */
export interface FileRunContext {
  hub: HubHttp;
  events: JobEvents;
  budget: ConnectionBudget;
  /** Blobs being fetched now, by path: a second job needing one waits for it. */
  blobs: Map<string, Promise<{ fresh: boolean }>>;
  /** sha256 → Xet file hash, for files the Hub said are stored in Xet. */
  /**
   * Per blob (sha256) the Hub stores in Xet: its Xet hash, and the read-token route a job's resolve
   * answer named (that job's repo and revision: another job's may be gated where this one is not).
   */
  xetFiles: Map<string, { hash: string; auth?: { job: string; url: string } }>;
  /** Blob name → the signed link its plan's HEAD led to, and when: taken by the file's first run. */
  downloadLinks: Map<string, { url: string; at: number }>;
  /** Live range connections per file being fetched (for the job's count). */
  fileConnections: WeakMap<JobFile, number>;
  connections?: () => 'auto' | number;
  disableSymlinks: boolean;
  disableXet: boolean;
  sharedStore?: () => StorePolicy;
  tuning: Pick<BlobFetchOptions, 'parallelThreshold' | 'segmentBytes' | 'stallTimeoutMs' | 'maxRetries'>;
}

const repoOf = (job: DownloadJob): RepoRef => ({ type: job.request.repoType, id: job.request.repo });

/** The file as a shared-store entry: a Xet file, in a cache whose store is in use (and links work). */
function storeFileOf(ctx: FileRunContext, job: DownloadJob, file: JobFile): StoreFile | null {
  const xetHash = ctx.xetFiles.get(file.etag)?.hash;
  const policy = ctx.sharedStore?.();
  if (!xetHash || !policy || !symlinksSupported(job.cacheDir, ctx.disableSymlinks) || !storeInUse(job.cacheDir, policy)) return null;
  return { cacheDir: job.cacheDir, repoFolder: repoFolderName(repoOf(job)), etag: file.etag, xetHash, size: file.size };
}

/**
 * How long a HEAD's signed link is used instead of resolving again: CDN links live an hour or more,
 * and one that expired anyway costs a refused request before the resolve.
 */
const LINK_FRESH_MS = 5 * 60_000;

/**
 * Keeps a plan's signed link for its blob's run. Links no run took (the job paused, cancelled or
 * failed first, or the file came from another job) are dropped once stale, so the map holds at
 * most the last five minutes' plans.
 */
export function rememberLink(links: FileRunContext['downloadLinks'], etag: string, url: string, now = Date.now()): void {
  for (const [k, v] of links) if (now - v.at >= LINK_FRESH_MS) links.delete(k);
  links.set(etag, { url, at: now });
}

/** The plan's signed link for this blob, once, while fresh. */
function takeLink(ctx: FileRunContext, etag: string): string | null {
  const link = ctx.downloadLinks.get(etag);
  ctx.downloadLinks.delete(etag);
  return link && Date.now() - link.at < LINK_FRESH_MS ? link.url : null;
}

/** What fetchBlob is asked for this file of the job. */
function blobRequestOf(ctx: FileRunContext, job: DownloadJob, file: JobFile): BlobRequest {
  const repo = repoOf(job);
  const commit = job.commit as string;
  const xet = ctx.xetFiles.get(file.etag);
  const location = takeLink(ctx, file.etag);
  return {
    url: resolveUrl(ctx.hub, repo, commit, file.path),
    ...(location ? { location } : {}),
    etag: file.etag,
    size: file.size,
    cacheDir: job.cacheDir,
    repoFolder: repoFolderName(repo),
    ctx: { repo: repo.id, revision: job.request.revision, path: file.path, repoUrl: repoPageUrl(ctx.hub, repo) },
    ...(file.replace ? { replace: true } : {}),
    ...(xet ? { xet: { hash: xet.hash, refreshUrl: xet.auth?.job === job.id ? xet.auth.url : xetRefreshUrl(ctx.hub, repo, commit) } } : {}),
  };
}

/** fetchBlob's options: the job's progress, waits, retries and connections. */
function blobOptionsOf(ctx: FileRunContext, job: DownloadJob, file: JobFile, signal: AbortSignal): BlobFetchOptions {
  const meter = ctx.events.meter(job.id);
  const t = ctx.tuning;
  return {
    signal,
    xet: !ctx.disableXet,
    connections: job.request.connections ?? ctx.connections?.() ?? 'auto',
    budget: ctx.budget,
    onConnections: (n) => {
      ctx.fileConnections.set(file, n);
      job.connections = job.files.reduce((sum, f) => sum + (ctx.fileConnections.get(f) ?? 0), 0);
      ctx.events.changed(job, false);
    },
    ...(t.parallelThreshold !== undefined ? { parallelThreshold: t.parallelThreshold } : {}),
    ...(t.segmentBytes !== undefined ? { segmentBytes: t.segmentBytes } : {}),
    ...(t.stallTimeoutMs !== undefined ? { stallTimeoutMs: t.stallTimeoutMs } : {}),
    ...(t.maxRetries !== undefined ? { maxRetries: t.maxRetries } : {}),
    onWaiting: () => {
      file.state = 'waiting';
      ctx.events.changed(job, true);
    },
    onBytes: (delta, position) => {
      if (file.state === 'waiting') file.state = 'downloading';
      const at = Math.min(file.size, position);
      job.bytesDone += at - file.done;
      file.done = at;
      if (delta > 0) meter.add(delta);
      if (job.retrying && delta > 0) job.retrying = null;
      ctx.events.changed(job, false);
    },
    onRetry: (info) => {
      job.retrying = { message: info.reason, attempt: info.attempt, maxAttempts: info.maxAttempts, nextAt: new Date(Date.now() + info.delayMs).toISOString() };
      // Nothing moves while waiting to retry: no frozen speed or ETA.
      meter.reset();
      job.speed = 0;
      job.etaSeconds = null;
      ctx.events.changed(job, true);
    },
  };
}

/** The blob in blobs/, right: shared with another job, fetched, or present and checked. Returns whether it is fresh. */
async function obtainBlob(ctx: FileRunContext, job: DownloadJob, file: JobFile, signal: AbortSignal): Promise<boolean> {
  const blob = blobPath(repoDir(job.cacheDir, repoOf(job)), file.etag);
  for (;;) {
    const shared = ctx.blobs.get(blob);
    if (shared) {
      // Another job of ours is fetching the same blob: wait for it instead of downloading twice.
      try {
        await shared;
        file.via = 'present';
        return false;
      } catch (error) {
        if (signal.aborted || (error instanceof HubError && error.code !== 'CANCELLED')) throw error;
        continue; // the other job was paused or cancelled: fetch it ourselves
      }
    }
    const run = fetchBlob(ctx.hub, blobRequestOf(ctx, job, file), blobOptionsOf(ctx, job, file, signal)).then((r) => {
      file.via = r.alreadyPresent ? 'present' : (r.protocol ?? 'http');
      // A delta update (#26.3): the bytes taken from older local files count as saved.
      if (r.reusedBytes) file.reusedBytes = r.reusedBytes;
      else delete file.reusedBytes;
      if (r.repeatedBytes) file.repeatedBytes = r.repeatedBytes;
      else delete file.repeatedBytes;
      if (r.staleSources?.length) file.staleSources = r.staleSources;
      else delete file.staleSources;
      if (r.xetHashDiffers) file.xetHashDiffers = true;
      else delete file.xetHashDiffers;
      return { fresh: !r.alreadyPresent };
    });
    ctx.blobs.set(blob, run);
    let fresh: boolean;
    try {
      fresh = (await run).fresh;
    } finally {
      ctx.blobs.delete(blob);
    }
    // A blob someone else put there is checked (hashed once per inode) before it counts as done; wrong bytes are fetched again (#24.4).
    const onProgress = (done: number, total: number) => {
      file.checking = { done, total };
      ctx.events.changed(job, false);
    };
    const right = fresh || file.replace || (await presentBlobIsRight(blob, file.etag, { signal, onProgress }));
    delete file.checking;
    if (right) return fresh;
    file.replace = true;
  }
}

/** Brings one file of the job into its snapshot (the caller handles its state on failure). */
export async function runFile(ctx: FileRunContext, job: DownloadJob, file: JobFile, signal: AbortSignal): Promise<void> {
  const dir = repoDir(job.cacheDir, repoOf(job));
  const commit = job.commit as string;
  const blob = blobPath(dir, file.etag);
  let fresh = false;
  // A Xet file in a cache with the shared store: linked from it, no byte fetched, when its payload checks out (#24.3, #24.4).
  const store = storeFileOf(ctx, job, file);
  let linked = store !== null && !file.replace && (await linkFromStore(store, { signal }).catch(() => 'absent')) === 'linked';
  if (linked) file.via = 'store';
  else fresh = await obtainBlob(ctx, job, file, signal);
  // A verified download of a Xet file goes into the store in Python's order, its manifest line registered.
  if (fresh && store) linked = await publishToStore(store, ctx.sharedStore?.() ?? { disabled: true, create: false }, { signal }).catch(() => false);
  linkSnapshotFile(job.cacheDir, dir, commit, file.path, file.etag, {
    disableSymlinks: ctx.disableSymlinks,
    freshBlob: fresh && !linked && !ctx.blobs.has(blob),
  });
  // Its bytes were just hashed: a later delta update reads them without hashing them again (#26.3).
  if (fresh) rememberVerified(blob, file.etag);
  writeRef(dir, job.request.revision, commit);
  job.bytesDone += file.size - file.done;
  file.done = file.size;
  file.state = 'done';
  delete file.replace;
}
