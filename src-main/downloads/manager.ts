/**
 * The download manager: a persisted queue of jobs (one repo revision, a selection of its files),
 * a bounded number of files in flight, pause / resume / cancel / retry, one download for a blob
 * two jobs need, already-present blobs linked rather than fetched, offline mode served from the
 * cache only, and progress (bytes, speed, ETA, state) pushed at most ~10 times a second per job.
 * A file already in the snapshot counts as done only when its size matches the Hub's; with
 * `force`, its bytes are rehashed too and a corrupt one is fetched again.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { isTerminal } from '../contract/downloads';
import {
  blobPath,
  ensureCacheDir,
  linkSnapshotFile,
  markNoExist,
  readRef,
  repoDir,
  repoFolderName,
  snapshotFilePath,
  symlinksSupported,
  writeRef,
} from '../cache/layout';
import { linkFromStore, publishToStore, storeInUse, type StoreFile, type StorePolicy } from '../cache/store-publish';
import { knownRight, presentBlobIsRight } from '../cache/payload-hash';
import { blobLockPath, tryLockFile } from '../cache/blob-lock';
import { readTreeRecord, writeTreeRecord } from '../cache/tree-record';
import { hashBlob } from '../cache/verify';
import { HubError } from '../hub/errors';
import { unsafeNameReason } from '../hub/file-names';
import type { HubHttp } from '../hub/http';
import { COMMIT_RE, checkRevision, parseRepoId, type RepoRef } from '../hub/repo-id';
import { repoPageUrl, resolveUrl, type PlannedFile } from '../hub/resolve';
import { fetchBlob } from './blob-fetch';
import { xetRefreshUrl } from './xet-blob';
import { isPartialOf } from './partial-file';
import { matchesAny } from './patterns';
import { planDownload } from './plan';
import type { QueueStore } from './queue-store';
import type { DownloadJob, DownloadRequest, JobFile } from './types';
import { isEtag } from '../hub/blob-id';
import { ConnectionBudget } from './connection-controller';

export interface ManagerOptions {
  hub: HubHttp;
  cacheDir: () => string;
  store: QueueStore;
  onChange?: (job: DownloadJob) => void;
  maxConcurrentFiles?: () => number;
  /** Range connections per large file ('auto' or the most), read at each file start. */
  connections?: () => 'auto' | number;
  /** Connections beyond each file's first, shared by all files at once (default 24). */
  connectionBudget?: number;
  /** Size from which parallel ranges are used, and the size of each range. */
  parallelThreshold?: number;
  segmentBytes?: number;
  stallTimeoutMs?: number;
  /** Attempts in a row without progress before a file fails (default 8). */
  maxRetries?: number;
  /** Copies into snapshots instead of links (HF_HUB_DISABLE_SYMLINKS). */
  disableSymlinks?: boolean;
  /** Xet files too take the classic whole-file road (HF_HUB_DISABLE_XET). */
  disableXet?: boolean;
  /** huggingface_hub 2.x's shared blob store: whether Xet files go through it, and whether it may be made (#24.3). */
  sharedStore?: () => StorePolicy;
  /** Minimum interval between progress events of one job. */
  progressIntervalMs?: number;
}

function sameSelection(a: DownloadRequest, b: DownloadRequest): boolean {
  const key = (r: DownloadRequest) =>
    JSON.stringify([r.repoType, r.repo, r.revision, r.commit ?? null, [...(r.files ?? [])].sort(), [...(r.patterns ?? [])].sort()]);
  return key(a) === key(b);
}

/** Bytes per second over the last ~3 s, in 100 ms buckets (cheap at any chunk rate). */
class SpeedMeter {
  #buckets: { slot: number; bytes: number }[] = [];
  add(bytes: number): void {
    const slot = Math.floor(Date.now() / 100);
    const last = this.#buckets.at(-1);
    if (last && last.slot === slot) last.bytes += bytes;
    else {
      this.#buckets.push({ slot, bytes });
      if (this.#buckets.length > 30) this.#buckets.shift();
    }
  }
  rate(): number {
    const now = Math.floor(Date.now() / 100);
    const recent = this.#buckets.filter((b) => b.slot > now - 30);
    if (!recent.length) return 0;
    const span = Math.max(2, now - (recent[0] as { slot: number }).slot + 1) / 10;
    return recent.reduce((a, b) => a + b.bytes, 0) / span;
  }
  reset(): void {
    this.#buckets = [];
  }
}

export class DownloadManager {
  readonly #o: ManagerOptions;
  readonly #jobs = new Map<string, DownloadJob>();
  readonly #controllers = new Map<string, AbortController>();
  readonly #blobs = new Map<string, Promise<{ fresh: boolean }>>();
  readonly #meters = new Map<string, SpeedMeter>();
  readonly #lastEmit = new Map<string, number>();
  readonly #resolving = new Set<string>();
  readonly #idle = new Set<() => void>();
  #active = 0;
  readonly #budget: ConnectionBudget;
  /** Live range connections per file being fetched (for the job's count). */
  readonly #fileConnections = new WeakMap<JobFile, number>();
  /** sha256 → Xet file hash, for files the Hub said are stored in Xet (learnt when planning). */
  readonly #xetHashes = new Map<string, string>();
  #saveTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(opts: ManagerOptions) {
    this.#budget = new ConnectionBudget(opts.connectionBudget ?? 24);
    this.#o = opts;
    for (const job of opts.store.load()) {
      // After a crash or restart, unfinished work comes back queued and resumes from disk.
      if (job.state === 'downloading' || job.state === 'resolving') job.state = 'queued';
      for (const f of job.files) if (f.state === 'downloading' || f.state === 'waiting') f.state = 'pending';
      job.speed = 0;
      job.etaSeconds = null;
      job.retrying = null;
      job.skipped ??= [];
      this.#jobs.set(job.id, job);
    }
    queueMicrotask(() => this.#schedule());
  }

  list(): DownloadJob[] {
    return [...this.#jobs.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string): DownloadJob {
    const job = this.#jobs.get(id);
    if (!job) throw new ApiError('NOT_FOUND', 'No such download.');
    return job;
  }

  add(request: DownloadRequest): DownloadJob {
    const repo = parseRepoId(request.repo, request.repoType);
    checkRevision(request.revision);
    if (request.commit !== undefined && !COMMIT_RE.test(request.commit)) throw new ApiError('VALIDATION_FAILED', `"${request.commit}" is not a commit id.`);
    const normalized: DownloadRequest = { ...request, repo: repo.id };
    const existing = this.list().find((j) => !isTerminal(j.state) && sameSelection(j.request, normalized));
    if (existing) return existing;
    const job: DownloadJob = {
      id: randomUUID(),
      request: normalized,
      cacheDir: this.#o.cacheDir(),
      commit: null,
      files: [],
      state: 'queued',
      error: null,
      createdAt: new Date().toISOString(),
      finishedAt: null,
      bytesDone: 0,
      bytesTotal: 0,
      speed: 0,
      etaSeconds: null,
      retrying: null,
      skipped: [],
    };
    this.#jobs.set(job.id, job);
    this.#changed(job, true);
    this.#schedule();
    return job;
  }

  pause(id: string): DownloadJob {
    const job = this.get(id);
    if (isTerminal(job.state) || job.state === 'paused') return job;
    job.state = 'paused';
    this.#abort(job);
    this.#quiet(job);
    this.#changed(job, true);
    return job;
  }

  /** Stops the job's transfers; their partial files stay on disk. */
  #abort(job: DownloadJob): void {
    this.#controllers.get(job.id)?.abort();
    this.#controllers.delete(job.id);
  }

  /** No transfer in flight: files back to pending, no speed, ETA or retry. */
  #quiet(job: DownloadJob): void {
    for (const f of job.files) if (f.state === 'downloading' || f.state === 'waiting') f.state = 'pending';
    job.speed = 0;
    job.etaSeconds = null;
    job.retrying = null;
    job.connections = 0;
    this.#meters.get(job.id)?.reset();
  }

  resume(id: string): DownloadJob {
    const job = this.get(id);
    if (job.state !== 'paused') return job;
    job.state = job.commit ? 'downloading' : 'queued';
    this.#changed(job, true);
    this.#schedule();
    return job;
  }

  retry(id: string): DownloadJob {
    const job = this.get(id);
    if (job.state !== 'error' && job.state !== 'cancelled') return job;
    job.state = 'queued';
    job.error = null;
    job.commit = null;
    job.finishedAt = null;
    for (const f of job.files) if (f.state !== 'done') f.state = 'pending';
    this.#changed(job, true);
    this.#schedule();
    return job;
  }

  /** Stops a job. Its partial files are deleted unless kept for later; an emptied repo folder goes. */
  async cancel(id: string, keepPartial = false): Promise<DownloadJob> {
    const job = this.get(id);
    if (job.state === 'done' || job.state === 'cancelled') return job;
    job.state = 'cancelled';
    job.finishedAt = new Date().toISOString();
    this.#abort(job);
    await this.#settled(job);
    const repo: RepoRef = { type: job.request.repoType, id: job.request.repo };
    if (!keepPartial) {
      for (const f of job.files) {
        if (f.state === 'done' || !isEtag(f.etag)) continue;
        if (!this.#blobs.has(blobPath(repoDir(job.cacheDir, repo), f.etag))) await removePartials(job.cacheDir, repo, f.etag);
        f.done = 0;
      }
      job.bytesDone = job.files.reduce((a, f) => a + (f.state === 'done' ? f.size : 0), 0);
    }
    removeIfEmpty(repoDir(job.cacheDir, repo));
    this.#quiet(job);
    this.#changed(job, true);
    return job;
  }

  remove(id: string): void {
    const job = this.get(id);
    if (!isTerminal(job.state)) throw new ApiError('CONFLICT', 'Stop the download before removing it from the list.');
    this.#jobs.delete(id);
    this.#save();
  }

  /** Snapshots jobs are writing into now (kept out of cache cleanup). */
  /** Snapshot folders in `cacheDir` that unfinished jobs are filling: no cleanup may take them. */
  activeSnapshotDirs(cacheDir: string): string[] {
    return this.list()
      .filter((j) => !isTerminal(j.state) && j.commit && j.cacheDir === cacheDir)
      .map((j) => path.join(repoDir(j.cacheDir, { type: j.request.repoType, id: j.request.repo }), 'snapshots', j.commit as string));
  }

  /** Resolves when nothing is queued, resolving or downloading. */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.add(resolve));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const c of this.#controllers.values()) c.abort();
    this.#controllers.clear();
    await Promise.allSettled([...this.#blobs.values()]);
    this.#save(true);
  }

  #isIdle(): boolean {
    return (
      this.#active === 0 &&
      this.#resolving.size === 0 &&
      !this.list().some((j) => j.state === 'queued' || (j.state === 'downloading' && j.files.some((f) => f.state === 'pending')))
    );
  }

  #controller(job: DownloadJob): AbortController {
    let c = this.#controllers.get(job.id);
    if (!c) {
      c = new AbortController();
      this.#controllers.set(job.id, c);
    }
    return c;
  }

  async #settled(job: DownloadJob): Promise<void> {
    for (let i = 0; i < 500 && job.files.some((f) => f.state === 'downloading' || f.state === 'waiting'); i++) await new Promise((r) => setTimeout(r, 10));
  }

  #schedule(): void {
    if (this.#closed) return;
    for (const job of this.list()) {
      if (job.state === 'queued' && !this.#resolving.has(job.id) && this.#resolving.size < 2) void this.#resolve(job);
    }
    const max = Math.max(1, this.#o.maxConcurrentFiles?.() ?? 3);
    for (const job of this.list()) {
      if (job.state !== 'downloading') continue;
      for (const file of job.files) {
        if (this.#active >= max) break;
        if (file.state === 'pending') void this.#runFile(job, file);
      }
    }
    if (this.#isIdle()) {
      for (const r of [...this.#idle]) r();
      this.#idle.clear();
    }
  }

  async #resolve(job: DownloadJob): Promise<void> {
    this.#resolving.add(job.id);
    job.state = 'resolving';
    this.#changed(job, true);
    const repo: RepoRef = { type: job.request.repoType, id: job.request.repo };
    const dir = repoDir(job.cacheDir, repo);
    try {
      let commit: string;
      let planned: PlannedFile[];
      if (this.#o.hub.isOffline()) ({ commit, files: planned } = this.#resolveOffline(job, repo, dir));
      else {
        const plan = await planDownload(this.#o.hub, repo, job.request.commit ?? job.request.revision, {
          ...(job.request.files ? { files: job.request.files } : {}),
          ...(job.request.patterns ? { patterns: job.request.patterns } : {}),
        });
        ({ commit, files: planned } = plan);
        job.skipped = plan.skipped;
        ensureCacheDir(job.cacheDir);
        // The listing Python writes too, so its offline snapshot_download knows what is missing.
        if (plan.listing) {
          fs.mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
          writeTreeRecord(dir, commit, plan.listing);
        }
      }
      if (job.state !== 'resolving') return; // paused or cancelled meanwhile
      const previous = new Map(job.files.map((f) => [f.path, f]));
      for (const p of planned) if (p.xetHash && p.etag.length === 64) this.#xetHashes.set(p.etag, p.xetHash);
      job.commit = commit;
      job.files = planned.map((p) => {
        // Present bytes count as done only once they are known to be right (hashed before, by inode);
        // otherwise the file runs, and the run hashes the present blob before trusting it (#24.4).
        const done = this.#trusted(dir, p) && (this.#snapshotMatches(dir, commit, p) || this.#linkIfBlobPresent(job, dir, commit, p));
        const before = previous.get(p.path);
        const partial = done ? p.size : partialSize(dir, p.etag, p.size);
        return {
          path: p.path,
          size: p.size,
          etag: p.etag,
          lfs: p.lfs,
          state: done ? 'done' : 'pending',
          done: partial || (before?.etag === p.etag ? Math.min(before.done, p.size) : 0),
          ...(before?.replace ? { replace: true } : {}),
        };
      });
      if (job.request.force) await this.#recheck(job, dir, commit);
      if (job.state !== 'resolving') return;
      job.bytesTotal = job.files.reduce((a, f) => a + f.size, 0);
      job.bytesDone = job.files.reduce((a, f) => a + f.done, 0);
      // The ref is written once its snapshot holds a file: Python's scanner rejects a ref to a missing snapshot.
      if (!this.#o.hub.isOffline() && job.files.some((f) => f.state === 'done')) writeRef(dir, job.request.revision, commit);
      job.state = 'downloading';
      this.#finishIfDone(job);
      this.#changed(job, true);
    } catch (error) {
      // Python writes a .no_exist marker (and refreshes the ref) when a file is confirmed missing.
      if (error instanceof HubError && error.code === 'ENTRY_NOT_FOUND' && error.details.commit && error.details.path) {
        try {
          markNoExist(dir, error.details.commit, error.details.path);
          if (fs.existsSync(path.join(dir, 'snapshots', error.details.commit))) writeRef(dir, job.request.revision, error.details.commit);
        } catch {
          // the marker is an optimisation only
        }
      }
      if (job.state === 'resolving' && !this.#closed) this.#fail(job, error);
    } finally {
      this.#resolving.delete(job.id);
      this.#schedule();
    }
  }

  /** --force / repair: present files are rehashed; one whose bytes do not match is fetched again. */
  async #recheck(job: DownloadJob, dir: string, commit: string): Promise<void> {
    for (const f of job.files) {
      if (f.state !== 'done') continue;
      let ok = false;
      try {
        ok = (await hashBlob(snapshotFilePath(dir, commit, f.path), f.etag, { root: path.dirname(dir), followLinks: true })) === f.etag;
      } catch {
        ok = false;
      }
      if (!ok) {
        f.state = 'pending';
        f.done = 0;
        f.replace = true;
      }
    }
  }

  /** The blob's bytes were hashed before (by this or an earlier run) and match its name; git blob names are not checked. */
  #trusted(dir: string, p: PlannedFile): boolean {
    const blob = blobPath(dir, p.etag);
    // No blob (a no-symlink cache keeps its copies in snapshots/): the snapshot check alone decides.
    if (!fs.existsSync(blob)) return true;
    try {
      return knownRight(blob, p.etag);
    } catch {
      return false;
    }
  }

  /** A snapshot entry counts only if it is there with the size the Hub gives (a live link or a copy). */
  #snapshotMatches(dir: string, commit: string, p: PlannedFile): boolean {
    try {
      const st = fs.statSync(snapshotFilePath(dir, commit, p.path));
      return st.isFile() && st.size === p.size;
    } catch {
      return false;
    }
  }

  /** Offline: only what the cache already holds; with trees/<commit>.json, say exactly what is missing. */
  #resolveOffline(job: DownloadJob, repo: RepoRef, dir: string): { commit: string; files: PlannedFile[] } {
    const rev = job.request.commit ?? job.request.revision;
    const commit = COMMIT_RE.test(rev) ? rev : readRef(dir, rev);
    const what = `${repo.id}@${job.request.revision}`;
    if (!commit || !fs.existsSync(path.join(dir, 'snapshots', commit))) throw new HubError('OFFLINE', `Offline mode is on, and ${what} is not in the cache.`);
    const snapshot = path.join(dir, 'snapshots', commit);
    const present = new Set(listSnapshot(snapshot));
    const wanted = job.request.files ?? [];
    const patterns = job.request.patterns ?? [];
    const chosen = (p: string) => (!wanted.length && !patterns.length) || wanted.includes(p) || matchesAny(p, patterns);
    const record = readTreeRecord(dir, commit);
    if (record) {
      const files = [...record]
        .filter(([p]) => chosen(p) && unsafeNameReason(p) === null)
        .map(([p, r]): PlannedFile => ({ path: p, size: r.size, etag: r.etag, lfs: r.lfs }));
      const unknown = wanted.filter((p) => !record.has(p));
      if (unknown.length) throw new HubError('OFFLINE', `Offline mode is on, and ${unknown.join(', ')} is not a file of ${what}.`);
      const missing = files.filter((f) => !this.#snapshotMatches(dir, commit, f)).map((f) => f.path);
      if (missing.length) {
        const list = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
        throw new HubError(
          'OFFLINE',
          `Offline mode is on, and ${missing.length} of the ${files.length} files of ${what} are not in the cache: ${list}. Go online to download them.`,
        );
      }
      if (files.length === 0) throw new HubError('OFFLINE', `Offline mode is on, and no file of ${what} matches.`);
      return { commit, files };
    }
    const missing = wanted.filter((p) => !present.has(p));
    if (missing.length) throw new HubError('OFFLINE', `Offline mode is on, and ${missing.join(', ')} of ${what} is not in the cache.`);
    const picked = [...present].filter(chosen);
    if (picked.length === 0) throw new HubError('OFFLINE', `Offline mode is on, and no cached file of ${what} matches.`);
    return {
      commit,
      files: picked.map((p) => {
        const full = path.join(snapshot, ...p.split('/'));
        const target = fs.lstatSync(full).isSymbolicLink() ? path.basename(fs.readlinkSync(full)) : '';
        return { path: p, size: fs.statSync(full).size, etag: target, lfs: target.length === 64 };
      }),
    };
  }

  #linkIfBlobPresent(job: DownloadJob, dir: string, commit: string, p: PlannedFile): boolean {
    try {
      const blob = blobPath(dir, p.etag);
      if (fs.statSync(blob).size !== p.size) return false;
      linkSnapshotFile(job.cacheDir, dir, commit, p.path, p.etag, { disableSymlinks: this.#o.disableSymlinks === true });
      return true;
    } catch {
      return false;
    }
  }

  /** The Xet side of a blob request, when the Hub marked the file as Xet. */
  #xetOf(repo: RepoRef, commit: string, file: JobFile): { xet?: { hash: string; refreshUrl: string } } {
    const hash = this.#xetHashes.get(file.etag);
    return hash ? { xet: { hash, refreshUrl: xetRefreshUrl(this.#o.hub, repo, commit) } } : {};
  }

  /** The file as a shared-store entry: a Xet file, in a cache whose store is in use (and links work). */
  #storeFileOf(job: DownloadJob, repo: RepoRef, file: JobFile): StoreFile | null {
    const xetHash = this.#xetHashes.get(file.etag);
    const policy = this.#o.sharedStore?.();
    if (!xetHash || !policy || !symlinksSupported(job.cacheDir, this.#o.disableSymlinks === true) || !storeInUse(job.cacheDir, policy)) return null;
    return { cacheDir: job.cacheDir, repoFolder: repoFolderName(repo), etag: file.etag, xetHash, size: file.size };
  }

  async #runFile(job: DownloadJob, file: JobFile): Promise<void> {
    this.#active += 1;
    file.state = 'downloading';
    const repo: RepoRef = { type: job.request.repoType, id: job.request.repo };
    const dir = repoDir(job.cacheDir, repo);
    const commit = job.commit as string;
    const signal = this.#controller(job).signal;
    const meter = this.#meters.get(job.id) ?? new SpeedMeter();
    this.#meters.set(job.id, meter);
    try {
      const blob = blobPath(dir, file.etag);
      let fresh = false;
      // A Xet file in a cache with the shared store: linked from it, no byte fetched, when its payload checks out (#24.3, #24.4).
      const store = this.#storeFileOf(job, repo, file);
      let linked = store !== null && !file.replace && (await linkFromStore(store, { signal }).catch(() => 'absent')) === 'linked';
      if (linked) file.via = 'store';
      while (!linked) {
        const shared = this.#blobs.get(blob);
        if (shared) {
          // Another job of ours is fetching the same blob: wait for it instead of downloading twice.
          try {
            await shared;
            file.via = 'present';
            break;
          } catch (error) {
            if (signal.aborted || (error instanceof HubError && error.code !== 'CANCELLED')) throw error;
            continue; // the other job was paused or cancelled: fetch it ourselves
          }
        }
        const run = fetchBlob(
          this.#o.hub,
          {
            url: resolveUrl(this.#o.hub, repo, commit, file.path),
            etag: file.etag,
            size: file.size,
            cacheDir: job.cacheDir,
            repoFolder: repoFolderName(repo),
            ctx: { repo: repo.id, revision: job.request.revision, path: file.path, repoUrl: repoPageUrl(this.#o.hub, repo) },
            ...(file.replace ? { replace: true } : {}),
            ...this.#xetOf(repo, commit, file),
          },
          {
            signal,
            xet: this.#o.disableXet !== true,
            connections: job.request.connections ?? this.#o.connections?.() ?? 'auto',
            budget: this.#budget,
            onConnections: (n) => {
              this.#fileConnections.set(file, n);
              job.connections = job.files.reduce((sum, f) => sum + (this.#fileConnections.get(f) ?? 0), 0);
              this.#changed(job, false);
            },
            ...(this.#o.parallelThreshold !== undefined ? { parallelThreshold: this.#o.parallelThreshold } : {}),
            ...(this.#o.segmentBytes !== undefined ? { segmentBytes: this.#o.segmentBytes } : {}),
            ...(this.#o.stallTimeoutMs !== undefined ? { stallTimeoutMs: this.#o.stallTimeoutMs } : {}),
            ...(this.#o.maxRetries !== undefined ? { maxRetries: this.#o.maxRetries } : {}),
            onWaiting: () => {
              file.state = 'waiting';
              this.#changed(job, true);
            },
            onBytes: (delta, position) => {
              if (file.state === 'waiting') file.state = 'downloading';
              const at = Math.min(file.size, position);
              job.bytesDone += at - file.done;
              file.done = at;
              if (delta > 0) meter.add(delta);
              if (job.retrying && delta > 0) job.retrying = null;
              this.#changed(job, false);
            },
            onRetry: (info) => {
              job.retrying = {
                message: info.reason,
                attempt: info.attempt,
                maxAttempts: info.maxAttempts,
                nextAt: new Date(Date.now() + info.delayMs).toISOString(),
              };
              // Nothing moves while waiting to retry: no frozen speed or ETA.
              meter.reset();
              job.speed = 0;
              job.etaSeconds = null;
              this.#changed(job, true);
            },
          },
        ).then((r) => {
          file.via = r.alreadyPresent ? 'present' : (r.protocol ?? 'http');
          return { fresh: !r.alreadyPresent };
        });
        this.#blobs.set(blob, run);
        try {
          fresh = (await run).fresh;
        } finally {
          this.#blobs.delete(blob);
        }
        // A blob someone else put there is checked (hashed once per inode) before it counts as done; wrong bytes are fetched again (#24.4).
        const onProgress = (done: number, total: number) => {
          file.checking = { done, total };
          this.#changed(job, false);
        };
        const right = fresh || file.replace || (await presentBlobIsRight(blob, file.etag, { signal, onProgress }));
        delete file.checking;
        if (!right) {
          file.replace = true;
          continue;
        }
        break;
      }
      // A verified download of a Xet file goes into the store in Python's order, its manifest line registered.
      if (fresh && store) linked = await publishToStore(store, this.#o.sharedStore?.() ?? { disabled: true, create: false }, { signal }).catch(() => false);
      linkSnapshotFile(job.cacheDir, dir, commit, file.path, file.etag, {
        disableSymlinks: this.#o.disableSymlinks === true,
        freshBlob: fresh && !linked && !this.#blobs.has(blob),
      });
      writeRef(dir, job.request.revision, commit);
      job.bytesDone += file.size - file.done;
      file.done = file.size;
      file.state = 'done';
      delete file.replace;
      this.#finishIfDone(job);
      this.#changed(job, true);
    } catch (error) {
      if (this.#closed || job.state === 'paused' || job.state === 'cancelled') {
        // Stopped on purpose (or the app is quitting): the partial stays for a resume.
        file.state = 'pending';
      } else if (job.state === 'error') {
        // Another file of this job failed first and stopped this one: keep that first error.
        file.state = 'pending';
      } else {
        file.state = 'error';
        this.#fail(job, error);
        this.#abort(job);
      }
    } finally {
      this.#active -= 1;
      this.#cleanupIfFailed(job);
      this.#schedule();
    }
  }

  #finishIfDone(job: DownloadJob): void {
    if (job.state === 'downloading' && job.files.every((f) => f.state === 'done')) {
      job.state = 'done';
      job.finishedAt = new Date().toISOString();
      job.speed = 0;
      job.etaSeconds = 0;
      job.retrying = null;
    }
  }

  /** Once every file of a failed job has settled, a repo folder it left empty goes (no race with a file still stopping). */
  #cleanupIfFailed(job: DownloadJob): void {
    if (job.state === 'error' && !job.files.some((f) => f.state === 'downloading' || f.state === 'waiting')) {
      removeIfEmpty(repoDir(job.cacheDir, { type: job.request.repoType, id: job.request.repo }));
    }
  }

  #fail(job: DownloadJob, error: unknown): void {
    job.state = 'error';
    job.retrying = null;
    job.speed = 0;
    job.etaSeconds = null;
    job.finishedAt = new Date().toISOString();
    job.error =
      error instanceof ApiError ? error.toShape() : { code: 'INTERNAL', message: `The download failed: ${(error as Error).message ?? String(error)}` };
    this.#changed(job, true);
    this.#cleanupIfFailed(job);
  }

  #changed(job: DownloadJob, important: boolean): void {
    const now = Date.now();
    const interval = this.#o.progressIntervalMs ?? 100;
    // Called for every chunk: everything below runs at most ~10 times a second per job.
    if (!important && now - (this.#lastEmit.get(job.id) ?? 0) < interval) return;
    this.#lastEmit.set(job.id, now);
    const meter = this.#meters.get(job.id);
    if (job.state === 'downloading' && meter && !job.retrying) {
      job.speed = Math.round(meter.rate());
      job.etaSeconds = job.speed > 0 ? Math.ceil((job.bytesTotal - job.bytesDone) / job.speed) : null;
    }
    this.#o.onChange?.(structuredClone(job));
    this.#save(important);
  }

  #save(now = false): void {
    if (now) {
      if (this.#saveTimer) clearTimeout(this.#saveTimer);
      this.#saveTimer = null;
      this.#o.store.save(this.list());
      return;
    }
    this.#saveTimer ??= setTimeout(() => {
      this.#saveTimer = null;
      this.#o.store.save(this.list());
    }, 2000);
    this.#saveTimer.unref?.();
  }
}

/** Deletes the partials of a blob, but only when nobody (Python, another Hubcap) holds its lock. */
async function removePartials(cacheDir: string, repo: RepoRef, etag: string): Promise<void> {
  const lock = await tryLockFile(blobLockPath(cacheDir, repoFolderName(repo), etag)).catch(() => null);
  if (!lock) return;
  try {
    const blobs = path.join(repoDir(cacheDir, repo), 'blobs');
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
function removeIfEmpty(dir: string): void {
  try {
    const entries = fs.readdirSync(dir);
    const blobs = fs.existsSync(path.join(dir, 'blobs')) ? fs.readdirSync(path.join(dir, 'blobs')) : [];
    const snaps = fs.existsSync(path.join(dir, 'snapshots')) ? fs.readdirSync(path.join(dir, 'snapshots')) : [];
    if (blobs.length === 0 && snaps.length === 0 && entries.every((e) => ['blobs', 'snapshots', '.no_exist', 'refs', 'trees'].includes(e))) {
      if (entries.includes('refs') && fs.readdirSync(path.join(dir, 'refs')).length > 0) return;
      if (entries.includes('.no_exist')) return;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    // nothing there
  }
}

/** The largest partial of a blob on disk (what a resume will start from). */
function partialSize(dir: string, etag: string, max: number): number {
  let best = 0;
  try {
    const blobs = path.join(dir, 'blobs');
    for (const name of fs.readdirSync(blobs)) {
      if (!isPartialOf(name, etag)) continue;
      const size = fs.statSync(path.join(blobs, name)).size;
      if (size <= max) best = Math.max(best, size);
    }
  } catch {
    // no blobs folder yet
  }
  return best;
}

function listSnapshot(snapshot: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(snapshot, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listSnapshot(snapshot, rel));
    else out.push(rel);
  }
  return out;
}
