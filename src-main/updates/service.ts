/**
 * Model updates (#26): checks (on demand, and daily when allowed, never offline), details, updating
 * (the download engine fetches the new revision by commit, so no ref moves early; the ref moves
 * here only once the job is done and its snapshot holds every file), pins, and the previous
 * revision, kept or dropped by the preference, never removed while a model runs from it.
 */
import type { OutsideUse } from '../cache/delete-plan';
import { snapshotFileExists, writeRef } from '../cache/layout';
import type { LoadedFile } from '../cache/loaded-models';
import type { CachedRepo, CacheScan } from '../cache/scan';
import { findCachedRepo } from '../cache/scan';
import * as cacheOps from '../cache/service';
import type { DeletePlanView } from '../contract/cache';
import type { DownloadJob, DownloadRequest } from '../contract/downloads';
import { isTerminal } from '../contract/downloads';
import { ApiError } from '../contract/errors';
import { repoKey } from '../contract/keys';
import type { FoundModel } from '../contract/apps';
import type { FoundUpdate, RepoUpdates, UpdateDetails, UpdatesView } from '../contract/updates';
import { checkFound } from './found';
import { checkRepo, stateOfError, type CheckHubs } from './check';
import { deltaEstimate, updateDetails, type TravelEstimate } from './details';
import { paced, type PaceOptions } from './pacer';
import { UpdatesStore, type RepoRecord } from './record';

export interface UpdatesDeps extends CheckHubs {
  dataDir: string;
  offline: () => boolean;
  scan: (fresh?: boolean) => CacheScan;
  invalidateCache: () => void;
  download: (request: DownloadRequest) => DownloadJob;
  /** A download job by id, null when the queue no longer has it. */
  job: (id: string) => DownloadJob | null;
  /** Files the models loaded now run from (Chat, the Local API): the cache's delete refuses to take their revision away. */
  loadedModels: () => LoadedFile[];
  /** Snapshot folders downloads are filling, and exports to other apps (delete previews count them). */
  activeSnapshots: () => string[];
  outsideUses?: () => OutsideUse[];
  /** Bytes an update would move after reuse of local chunks (default: the download engine's delta estimate). */
  estimate?: TravelEstimate;
  onChange?: (view: UpdatesView) => void;
  pace?: PaceOptions;
  /** Models the last scan found in other apps' folders: those with a known Hub origin are checked too. */
  found?: () => readonly FoundModel[];
}

const DAY_MS = 86_400_000;

export class UpdatesService {
  readonly #d: UpdatesDeps;
  readonly #store: UpdatesStore;
  #checking = false;
  /** Other apps' models at the last full check (kept for this run only: the next check redoes them). */
  #found: FoundUpdate[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(deps: UpdatesDeps) {
    this.#d = deps;
    this.#store = new UpdatesStore(deps.dataDir);
  }

  // ---------- what is known ----------

  view(): UpdatesView {
    const scan = this.#scan();
    const repos = scan ? scan.repos.filter((r) => Object.keys(r.refs).length > 0 || this.#store.data.repos[repoKey(r)]).map((r) => this.#repoView(r)) : [];
    const d = this.#store.data;
    return {
      repos,
      found: this.#found,
      lastCheckedAt: d.lastCheckedAt,
      checking: this.#checking,
      offline: this.#d.offline(),
      daily: d.daily,
      keepPrevious: d.keepPrevious,
    };
  }

  #scan(fresh = false): CacheScan | null {
    try {
      return this.#d.scan(fresh);
    } catch {
      return null;
    }
  }

  #repoView(repo: CachedRepo): RepoUpdates {
    const key = repoKey(repo);
    const rec = this.#store.data.repos[key];
    // The cache is the truth for what is held; a branch whose ref moved since the check is re-read from it.
    const branches = (rec?.branches ?? [])
      .filter((b) => repo.refs[b.branch] !== undefined)
      .map((b) =>
        repo.refs[b.branch] === b.cachedCommit
          ? b
          : { ...b, cachedCommit: repo.refs[b.branch] as string, state: b.headCommit === repo.refs[b.branch] ? ('up-to-date' as const) : b.state },
      );
    return {
      repo: key,
      id: repo.id,
      pinned: rec?.pinned ?? null,
      branches,
      notFollowed: rec?.notFollowed ?? [],
      checkedAt: rec?.checkedAt ?? null,
      previous: (rec?.previous ?? []).filter((c) => repo.revisions.some((r) => r.commit === c)),
      running: rec?.running ?? null,
      lastError: rec?.lastError ?? null,
    };
  }

  #changed(): UpdatesView {
    this.#store.save();
    const view = this.view();
    this.#d.onChange?.(view);
    return view;
  }

  #cached(key: string): CachedRepo {
    const scan = this.#d.scan(true);
    const repo = findCachedRepo(scan, key);
    if (!repo) throw new ApiError('NOT_FOUND', `${key.replace(/^\w+:/, '')} is not in the cache.`);
    return repo;
  }

  // ---------- detect ----------

  async check(keys?: string[]): Promise<UpdatesView> {
    if (this.#d.offline()) throw new ApiError('OFFLINE', 'Offline mode is on: Hubcap makes no network requests, so updates were not checked.');
    if (this.#checking) return this.view();
    this.#checking = true;
    this.#d.onChange?.(this.view());
    try {
      const scan = this.#d.scan(true);
      const wanted = keys ? new Set(keys) : null;
      const repos = scan.repos.filter((r) => Object.keys(r.refs).length > 0 && (!wanted || wanted.has(repoKey(r))));
      const unknown = keys?.filter((k) => !scan.repos.some((r) => repoKey(r) === k)) ?? [];
      if (unknown.length) throw new ApiError('NOT_FOUND', `Not in the cache: ${unknown.map((k) => k.replace(/^\w+:/, '')).join(', ')}.`);
      const toAsk = repos.filter((r) => this.#store.repo(repoKey(r)).pinned === null);
      const results = await paced(toAsk, (r) => checkRepo(this.#d, { type: r.type, id: r.id }, r.refs, this.#store.repo(repoKey(r)).needsToken), this.#d.pace);
      const now = new Date().toISOString();
      toAsk.forEach((r, i) => {
        const rec = this.#store.repo(repoKey(r));
        const result = results[i];
        rec.checkedAt = now;
        if (result?.ok) {
          rec.branches = result.value.branches;
          rec.notFollowed = result.value.notFollowed;
          rec.needsToken = result.value.needsToken;
        } else {
          const { state, message } = stateOfError(result?.error);
          rec.branches = Object.entries(r.refs)
            .filter(([name]) => !name.startsWith('refs/pr/'))
            .map(([branch, commit]) => ({ branch, cachedCommit: commit, headCommit: null, state, message }));
        }
      });
      if (!keys) {
        this.#store.data.lastCheckedAt = now;
        this.#found = await checkFound(this.#d, this.#d.found?.() ?? [], this.#d.pace);
      }
      // Done before the answer is made: the view it returns must not say "checking".
      this.#checking = false;
      return this.#changed();
    } finally {
      if (this.#checking) {
        this.#checking = false;
        this.#d.onChange?.(this.view());
      }
    }
  }

  /** The daily background check, when the preference allows it: looked at hourly, run when a day has passed. */
  startBackground(everyMs = 3_600_000): void {
    if (this.#timer) return;
    const tick = () => {
      const d = this.#store.data;
      const due = !d.lastCheckedAt || Date.now() - Date.parse(d.lastCheckedAt) >= DAY_MS;
      if (d.daily && due && !this.#d.offline() && !this.#checking) void this.check().catch(() => undefined);
    };
    this.#timer = setInterval(tick, everyMs);
    this.#timer.unref();
    // A first look soon after start (not at once: the app's start has enough to do).
    setTimeout(tick, Math.min(60_000, everyMs)).unref();
    this.#resumeRunning();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  // ---------- details and update ----------

  #branchOf(repo: CachedRepo, branch?: string): string {
    const rec = this.#store.data.repos[repoKey(repo)];
    if (branch) {
      if (repo.refs[branch] === undefined) throw new ApiError('NOT_FOUND', `${repo.id} has no cached branch ${branch}.`);
      return branch;
    }
    const moved = rec?.branches.find((b) => b.state === 'available' || b.state === 'diverged');
    return moved?.branch ?? (repo.refs.main !== undefined ? 'main' : (Object.keys(repo.refs)[0] ?? 'main'));
  }

  async details(key: string, branch?: string): Promise<UpdateDetails & { selection: string[]; whole: boolean }> {
    this.#assertOnline();
    const repo = this.#cached(key);
    const name = this.#branchOf(repo, branch);
    const rec = this.#store.repo(key);
    // Asked again: the head may have moved since the last check.
    let check;
    try {
      check = await checkRepo(this.#d, { type: repo.type, id: repo.id }, { [name]: repo.refs[name] as string }, rec.needsToken);
    } catch (error) {
      this.#recordFailure(repo, name, error);
      throw error;
    }
    const status = check.branches[0];
    if (!status?.headCommit || status.state === 'branch-gone')
      throw new ApiError('NOT_FOUND', status?.message ?? `${name} is not a branch of ${repo.id} on the Hub.`);
    const hub = check.needsToken ? this.#d.signedIn : this.#d.anonymous;
    try {
      return await updateDetails({
        hub,
        scan: this.#d.scan(),
        repo,
        branch: name,
        from: status.cachedCommit,
        to: status.headCommit,
        estimate: this.#d.estimate ?? deltaEstimate,
      });
    } catch (error) {
      this.#recordFailure(repo, name, error);
      throw error;
    }
  }

  /** A Hub failure met while reading details (the repo deleted, gated meanwhile…) becomes the branch's state. */
  #recordFailure(repo: CachedRepo, branch: string, error: unknown): void {
    const { state, message } = stateOfError(error);
    if (state === 'error') return;
    const rec = this.#store.repo(repoKey(repo));
    rec.branches = [
      ...rec.branches.filter((b) => b.branch !== branch),
      { branch, cachedCommit: repo.refs[branch] as string, headCommit: rec.branches.find((b) => b.branch === branch)?.headCommit ?? null, state, message },
    ];
    this.#changed();
  }

  async apply(key: string, opts: { branch?: string | undefined; allowDiverged?: boolean | undefined } = {}): Promise<RepoUpdates> {
    const rec = this.#store.repo(key);
    if (rec.running) return this.#repoView(this.#cached(key));
    if (rec.pinned) throw new ApiError('CONFLICT', `${key.replace(/^\w+:/, '')} is pinned to ${rec.pinned.slice(0, 8)}: unpin it first.`);
    const d = await this.details(key, opts.branch);
    if (d.diverged && !opts.allowDiverged)
      throw new ApiError(
        'CONFLICT',
        `${d.branch} was force-pushed: the new head does not build on your revision. Update anyway to replace it (your copy is kept until you remove it).`,
      );
    const repo = this.#cached(key);
    if (d.from === d.to) return this.#repoView(repo);
    if (d.selection.length === 0)
      throw new ApiError('CONFLICT', 'None of the files you have is in the new revision: download the files you want from it instead.');
    // By commit: the engine writes no ref for a commit, so refs/<branch> moves only when all is in place.
    const job = this.#d.download({ repoType: repo.type, repo: repo.id, revision: d.to, ...(d.whole ? {} : { files: d.selection }) });
    rec.running = { branch: d.branch, from: d.from, to: d.to, jobId: job.id, startedAt: new Date().toISOString() };
    rec.lastError = null;
    this.#changed();
    const now = this.#d.job(job.id);
    if (now && isTerminal(now.state)) this.onDownload(now);
    return this.#repoView(this.#cached(key));
  }

  /** Every download change passes here: the end of an update's download moves its ref. */
  onDownload(job: DownloadJob): void {
    if (!isTerminal(job.state)) return;
    for (const [key, rec] of Object.entries(this.#store.data.repos)) {
      if (rec.running?.jobId !== job.id) continue;
      this.#finish(key, rec, job);
    }
  }

  #finish(key: string, rec: RepoRecord, job: DownloadJob): void {
    const run = rec.running;
    if (!run) return;
    rec.running = null;
    if (job.state !== 'done') {
      rec.lastError = `The update did not finish (${job.error?.message ?? job.state}); ${run.branch} still points at the revision you had. Update again to resume.`;
      this.#changed();
      return;
    }
    try {
      const repo = this.#cached(key);
      const missing = job.files.filter((f) => !snapshotFileExists(repo.path, run.to, f.path));
      if (missing.length) throw new ApiError('INTEGRITY', `${missing.length} file(s) of the new revision are not in place.`);
      writeRef(repo.path, run.branch, run.to);
      this.#d.invalidateCache();
      rec.branches = rec.branches.map((b) =>
        b.branch === run.branch ? { ...b, cachedCommit: run.to, headCommit: run.to, state: 'up-to-date', message: null } : b,
      );
      const stillUsed = Object.entries(this.#cached(key).refs).some(([, c]) => c === run.from);
      if (!stillUsed && !rec.previous.includes(run.from)) rec.previous.push(run.from);
      if (!this.#store.data.keepPrevious && !stillUsed) void this.#dropPrevious(key, run.from);
    } catch (error) {
      rec.lastError = `The update could not move ${run.branch}: ${(error as Error).message}`;
    }
    this.#changed();
  }

  /** After a restart: an update whose download finished (or vanished) meanwhile is settled. */
  #resumeRunning(): void {
    for (const [key, rec] of Object.entries(this.#store.data.repos)) {
      if (!rec.running) continue;
      const job = this.#d.job(rec.running.jobId);
      if (!job) {
        rec.running = null;
        rec.lastError = 'The update was interrupted; its partial download is kept. Update again to resume.';
        this.#changed();
      } else if (isTerminal(job.state)) this.#finish(key, rec, job);
    }
  }

  // ---------- pins and previous revisions ----------

  pin(key: string, pinned: boolean): RepoUpdates {
    const repo = this.#cached(key);
    const rec = this.#store.repo(key);
    rec.pinned = pinned ? (repo.refs.main ?? repo.revisions[0]?.commit ?? null) : null;
    if (pinned && !rec.pinned) throw new ApiError('NOT_FOUND', `${repo.id} has no revision to pin.`);
    this.#changed();
    return this.#repoView(repo);
  }

  async #deleteInUse(): Promise<cacheOps.InUse> {
    const scan = this.#d.scan(true);
    return { partials: await cacheOps.activePartials(scan), snapshots: this.#d.activeSnapshots(), loaded: this.#d.loadedModels() };
  }

  async planRemovePrevious(key: string, commit: string): Promise<DeletePlanView> {
    const scan = this.#d.scan(true);
    return cacheOps.planDelete(scan, [{ kind: 'revision', repo: key, commit }], await this.#deleteInUse(), this.#d.outsideUses?.());
  }

  async removePrevious(key: string, commit: string): Promise<DeletePlanView & { errors: string[] }> {
    const repo = this.#cached(key);
    if (Object.values(repo.refs).includes(commit)) throw new ApiError('CONFLICT', 'A branch still points at that revision: it is not a previous one.');
    const scan = this.#d.scan(true);
    const result = await cacheOps.deleteFromCache(scan, [{ kind: 'revision', repo: key, commit }], await this.#deleteInUse(), this.#d.outsideUses?.());
    this.#d.invalidateCache();
    const rec = this.#store.repo(key);
    rec.previous = rec.previous.filter((c) => c !== commit);
    this.#changed();
    return result;
  }

  /** "Drop the previous revision" preference: done unless a model runs from it (then it is kept, and said). */
  async #dropPrevious(key: string, commit: string): Promise<void> {
    try {
      await this.removePrevious(key, commit);
    } catch (error) {
      this.#store.repo(key).lastError = `The previous revision was kept: ${(error as Error).message}`;
      this.#changed();
    }
  }

  setPreferences(p: { daily?: boolean | undefined; keepPrevious?: boolean | undefined }): UpdatesView {
    if (p.daily !== undefined) this.#store.data.daily = p.daily;
    if (p.keepPrevious !== undefined) this.#store.data.keepPrevious = p.keepPrevious;
    return this.#changed();
  }

  #assertOnline(): void {
    if (this.#d.offline()) throw new ApiError('OFFLINE', 'Offline mode is on: Hubcap makes no network requests.');
  }
}

export { DAY_MS };
