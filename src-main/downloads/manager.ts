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
import { blobPath, markNoExist, repoDir, snapshotsDir, writeRef } from '../cache/layout';
import type { StorePolicy } from '../cache/store-publish';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { COMMIT_RE, checkRevision, parseRepoId, type RepoRef } from '../hub/repo-id';
import { isEtag } from '../hub/blob-id';
import { ConnectionBudget, DEFAULT_CONNECTION_BUDGET } from './connection-controller';
import { rememberLink, runFile, type FileRunContext } from './file-run';
import { JobEvents } from './job-events';
import { jobFilesOf, planJob, recheck } from './job-plan';
import { removeIfEmpty, removePartials } from './job-cleanup';
import type { QueueStore } from './queue-store';
import type { DownloadJob, DownloadRequest, JobFile } from './types';

export interface ManagerOptions {
  hub: HubHttp;
  cacheDir: () => string;
  store: QueueStore;
  onChange?: (job: DownloadJob) => void;
  maxConcurrentFiles?: () => number;
  /** Range connections per large file ('auto' or the most), read at each file start. */
  connections?: () => 'auto' | number;
  /** Connections beyond each file's first, shared by all files at once (default DEFAULT_CONNECTION_BUDGET). */
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

export class DownloadManager {
  readonly #o: ManagerOptions;
  readonly #jobs = new Map<string, DownloadJob>();
  readonly #controllers = new Map<string, AbortController>();
  readonly #blobs = new Map<string, Promise<{ fresh: boolean }>>();
  readonly #resolving = new Set<string>();
  readonly #idle = new Set<() => void>();
  #active = 0;
  readonly #events: JobEvents;
  readonly #run: FileRunContext;
  #closed = false;

  constructor(opts: ManagerOptions) {
    this.#o = opts;
    this.#events = new JobEvents({
      store: opts.store,
      jobs: () => this.list(),
      ...(opts.onChange ? { onChange: opts.onChange } : {}),
      ...(opts.progressIntervalMs !== undefined ? { intervalMs: opts.progressIntervalMs } : {}),
    });
    this.#run = {
      hub: opts.hub,
      events: this.#events,
      budget: new ConnectionBudget(opts.connectionBudget ?? DEFAULT_CONNECTION_BUDGET),
      blobs: this.#blobs,
      // sha256 → Xet file hash, learnt when planning.
      xetFiles: new Map(),
      downloadLinks: new Map(),
      fileConnections: new WeakMap(),
      ...(opts.connections ? { connections: opts.connections } : {}),
      disableSymlinks: opts.disableSymlinks === true,
      disableXet: opts.disableXet === true,
      ...(opts.sharedStore ? { sharedStore: opts.sharedStore } : {}),
      tuning: {
        ...(opts.parallelThreshold !== undefined ? { parallelThreshold: opts.parallelThreshold } : {}),
        ...(opts.segmentBytes !== undefined ? { segmentBytes: opts.segmentBytes } : {}),
        ...(opts.stallTimeoutMs !== undefined ? { stallTimeoutMs: opts.stallTimeoutMs } : {}),
        ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
      },
    };
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
    this.#events.resetMeter(job.id);
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
    this.#events.save();
  }

  /** Snapshots jobs are writing into now (kept out of cache cleanup). */
  /** Snapshot folders in `cacheDir` that unfinished jobs are filling: no cleanup may take them. */
  activeSnapshotDirs(cacheDir: string): string[] {
    return this.list()
      .filter((j) => !isTerminal(j.state) && j.commit && j.cacheDir === cacheDir)
      .map((j) => path.join(snapshotsDir(repoDir(j.cacheDir, { type: j.request.repoType, id: j.request.repo })), j.commit as string));
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
    this.#events.save(true);
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
      const plan = await planJob(this.#o.hub, job, repo, dir);
      job.skipped = plan.skipped;
      const commit = plan.commit;
      if (job.state !== 'resolving') return; // paused or cancelled meanwhile
      for (const p of plan.files)
        if (p.xetHash && p.etag.length === 64)
          this.#run.xetFiles.set(p.etag, { hash: p.xetHash, ...(p.xetAuthUrl ? { auth: { job: job.id, url: p.xetAuthUrl } } : {}) });
      job.commit = commit;
      job.files = jobFilesOf(job, dir, commit, plan.files, this.#o.disableSymlinks === true);
      // A file still to fetch is fetched from where its HEAD led (file-run.ts takes it once).
      for (const p of plan.files)
        if (p.downloadUrl && job.files.some((f) => f.etag === p.etag && f.state !== 'done')) rememberLink(this.#run.downloadLinks, p.etag, p.downloadUrl);
      if (job.request.force) await recheck(job, dir, commit);
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
          if (fs.existsSync(path.join(snapshotsDir(dir), error.details.commit))) writeRef(dir, job.request.revision, error.details.commit);
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

  async #runFile(job: DownloadJob, file: JobFile): Promise<void> {
    this.#active += 1;
    file.state = 'downloading';
    try {
      await runFile(this.#run, job, file, this.#controller(job).signal);
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
    this.#events.changed(job, important);
  }
}
