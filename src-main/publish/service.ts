/**
 * Publishing local files into the user's own Hub repo. A plan says exactly what will happen
 * (files, add/replace/unchanged, the repo created or not, whether the token may write there)
 * before anything is sent; a job then creates the repo if needed, commits through the upload
 * worker with progress and cancel, and can download everything back to confirm the Hub serves
 * the same sha256. A repo this job created is removed again if the job fails or is cancelled
 * before its first commit, so nothing is left half-done on the Hub.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ApiError } from '../contract/errors';
import { plural } from '../contract/present/format';
import type { PublishAccess, PublishJob, PublishPlan, PublishStart, PublishPlanInput } from '../contract/publish';
import type { z } from 'zod';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { repoApiPath, type RepoRef } from '../hub/repo-id';
import { repoPageUrl } from '../hub/resolve';
import { parseItemKey } from '../contract/keys';
import type { Library } from '../library/library';
import type { FileHashes } from '../apps/hashes';
import { accessProblem, readAccess, type TokenScopes } from './access';
import { runCommit, type CommitRun, type UploadWorkerFactory } from './commit-runner';
import { compareWithRepo } from './compare';
import { collectFiles, modelParts, type LocalFile } from './files';
import { cardFacts, renderCard } from './model-card';
import { verifyPublished } from './verify';

type PlanInput = z.output<typeof PublishPlanInput>;
type StartInput = z.output<typeof PublishStart>;

export interface PublishServiceOptions {
  hub: HubHttp;
  /** Handed to the upload worker only, which attaches it for the Hub's own origin. */
  token: () => string | null;
  tokenSource: () => PublishAccess['source'];
  library: Pick<Library, 'item'>;
  hashes: FileHashes;
  worker: UploadWorkerFactory;
  onChange: (job: PublishJob) => void;
  /** An upload connection that takes no bytes this long is cut and retried (default 30 s). */
  stallMs?: number;
  retries?: number;
  /** Files per commit (default FILES_PER_COMMIT; tests make it small). */
  filesPerCommit?: number;
}

/** Files per commit: a large folder goes in parts, as `hf upload-large-folder` does, so no commit is too big for the Hub. */
export const FILES_PER_COMMIT = 1000;
/** Progress events per job per second, at most. */
const EVENT_INTERVAL_MS = 100;

interface Job {
  view: PublishJob;
  files: LocalFile[];
  /** Files made here (the card): checked by their known sha256. */
  made: { path: string; size: number; sha256: string }[];
  run: CommitRun | null;
  cancelled: boolean;
  lastEmit: number;
  timer: NodeJS.Timeout | null;
  samples: { t: number; bytes: number }[];
  /** Bytes of the parts already committed. */
  doneBytes: number;
}

export class PublishService {
  readonly #o: PublishServiceOptions;
  readonly #jobs = new Map<string, Job>();

  constructor(opts: PublishServiceOptions) {
    this.#o = opts;
  }

  get #perCommit(): number {
    return this.#o.filesPerCommit ?? FILES_PER_COMMIT;
  }

  list(): PublishJob[] {
    return [...this.#jobs.values()].map((j) => j.view).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async #scopes(): Promise<TokenScopes> {
    this.#o.hub.assertOnline();
    return readAccess(this.#o.hub, this.#o.tokenSource());
  }

  async access(): Promise<PublishAccess> {
    return (await this.#scopes()).access;
  }

  /** A namespace's repos (first 500), for "publish into an existing repo". */
  async repos(namespace: string, repoType: 'model' | 'dataset'): Promise<{ namespace: string; repos: { id: string; private: boolean }[] }> {
    this.#o.hub.assertOnline();
    const url = this.#o.hub.url(`/api/${repoType}s?author=${encodeURIComponent(namespace)}&limit=500&sort=lastModified`);
    const res = await this.#o.hub.fetch(url, { ctx: {} });
    const list = (await res.json()) as { id?: unknown; private?: unknown }[];
    return {
      namespace,
      repos: (Array.isArray(list) ? list : [])
        .slice(0, 500)
        .flatMap((r) => (typeof r.id === 'string' && r.id.startsWith(`${namespace}/`) ? [{ id: r.id, private: r.private === true }] : [])),
    };
  }

  async #localPaths(source: PlanInput['source']): Promise<string[]> {
    const paths = [...source.paths];
    if (source.item) {
      if (!parseItemKey(source.item)) throw new ApiError('VALIDATION_FAILED', 'Not a Library model.');
      const item = await this.#o.library.item(source.item);
      if (item.missing) throw new ApiError('INVALID_PATH', `${item.name} is no longer at ${item.path}.`);
      paths.push(...modelParts(item.path));
    }
    return paths;
  }

  /** Repo state: its head, whether the branch exists, whether it has a README. */
  async #repoState(repo: RepoRef, revision: string): Promise<{ exists: boolean; branchExists: boolean; hasReadme: boolean }> {
    const hub = this.#o.hub;
    try {
      const res = await hub.fetch(hub.url(`/api/${repoApiPath(repo)}`), { ctx: { repo: repo.id } });
      const info = (await res.json()) as { siblings?: { rfilename?: unknown }[]; sha?: unknown };
      let branchExists = true;
      let hasReadme = (info.siblings ?? []).some((s) => s.rfilename === 'README.md');
      if (revision !== 'main') {
        try {
          const r = await hub.fetch(hub.url(`/api/${repoApiPath(repo)}/revision/${encodeURIComponent(revision)}`), { ctx: { repo: repo.id, revision } });
          const rev = (await r.json()) as { siblings?: { rfilename?: unknown }[] };
          hasReadme = (rev.siblings ?? []).some((s) => s.rfilename === 'README.md');
        } catch (error) {
          if (!(error instanceof HubError && error.code === 'REVISION_NOT_FOUND')) throw error;
          branchExists = false;
        }
      }
      return { exists: true, branchExists, hasReadme };
    } catch (error) {
      if (error instanceof HubError && error.code === 'REPO_NOT_FOUND') return { exists: false, branchExists: false, hasReadme: false };
      throw error;
    }
  }

  async plan(input: PlanInput): Promise<PublishPlan> {
    const { target } = input;
    const repo: RepoRef = { type: target.repoType, id: target.repo };
    const collected = collectFiles(await this.#localPaths(input.source), { pathInRepo: target.pathInRepo, include: target.include, exclude: target.exclude });
    if (collected.files.length === 0) {
      const why = collected.skipped.length > 0 ? ` (${collected.skipped.length} skipped: ${collected.skipped[0]?.reason ?? ''})` : '';
      throw new ApiError('VALIDATION_FAILED', `Nothing to publish: no files were selected${why}.`);
    }
    const scopes = await this.#scopes();
    const state = await this.#repoState(repo, target.revision);
    if (target.createPr && !state.exists) throw new ApiError('VALIDATION_FAILED', `${repo.id} does not exist yet: a pull request needs an existing repo.`);
    const problem = accessProblem(scopes, repo.id, { createPr: target.createPr, repoExists: state.exists, endpoint: this.#o.hub.endpoint });
    let head: string | null = null;
    let actions = new Map<string, PublishFile['action']>();
    let modes = new Map<string, 'lfs' | 'regular'>();
    if (state.exists && state.branchExists && !problem) {
      const cmp = await compareWithRepo(this.#o.hub, repo, {
        revision: target.revision,
        createPr: target.createPr,
        files: collected.files,
        hashes: this.#o.hashes,
      });
      head = cmp.head || null;
      actions = cmp.actions;
      modes = cmp.modes;
    }
    const files = collected.files.map((f) => ({
      path: f.path,
      localPath: f.localPath,
      size: f.size,
      action: actions.get(f.path) ?? ('add' as const),
      lfs: modes.has(f.path) ? modes.get(f.path) === 'lfs' : null,
    }));
    const count = (a: string) => files.filter((f) => f.action === a).length;
    const toSend = files.filter((f) => f.action !== 'unchanged');
    const hasReadme = collected.files.some((f) => f.path === 'README.md');
    const needsCard = !hasReadme && !state.hasReadme;
    return {
      repo: repo.id,
      repoType: repo.type as 'model' | 'dataset',
      revision: target.revision,
      createPr: target.createPr,
      createsRepo: !state.exists,
      createsBranch: !target.createPr && target.revision !== 'main' && !state.branchExists,
      parentCommit: head,
      files,
      totals: {
        files: files.length,
        bytes: files.reduce((a, f) => a + f.size, 0),
        add: count('add'),
        replace: count('replace'),
        unchanged: count('unchanged'),
        bytesToSend: toSend.reduce((a, f) => a + f.size, 0),
      },
      skipped: collected.skipped,
      needsCard,
      suggestedCard: needsCard ? renderCard(repo.id, await cardFacts(collected.files), collected.files, target.license) : null,
      commits: Math.max(1, Math.ceil(toSend.length / this.#perCommit)),
      access: scopes.access,
      problem,
      repoUrl: repoPageUrl(this.#o.hub, repo),
    };
  }

  async start(input: StartInput): Promise<PublishJob> {
    const plan = await this.plan({ source: input.source, target: input.target });
    if (plan.problem) throw new HubError('FORBIDDEN', plan.problem.message, { permanent: true });
    if (input.parentCommit && plan.parentCommit && input.parentCommit !== plan.parentCommit) {
      throw new ApiError('CONFLICT', `${plan.repo} changed since the plan was made: look at the plan again before publishing.`);
    }
    const card = input.card?.trim() ? input.card : null;
    if (card && !plan.needsCard) throw new ApiError('VALIDATION_FAILED', 'The upload (or the repo) already has a README.md: the card would replace it.');
    if (card) await this.#validateCard(card, plan.repoType);
    const send = plan.files.filter((f) => f.action !== 'unchanged');
    if (send.length === 0 && !card) throw new ApiError('VALIDATION_FAILED', `Everything is already on ${plan.repo} with the same bytes: nothing to publish.`);
    const bytesTotal = send.reduce((a, f) => a + f.size, 0) + (card ? Buffer.byteLength(card) : 0);
    const view: PublishJob = {
      id: randomUUID(),
      repo: plan.repo,
      repoType: plan.repoType,
      revision: plan.revision,
      createPr: plan.createPr,
      state: 'preparing',
      message: input.message,
      files: send.length + (card ? 1 : 0),
      bytesTotal,
      bytesHashed: 0,
      bytesSent: 0,
      speed: 0,
      etaSeconds: null,
      active: [],
      part: { index: 1, of: plan.commits },
      commit: null,
      pullRequestUrl: null,
      repoUrl: plan.repoUrl,
      createdRepo: false,
      cancellable: true,
      error: null,
      verify: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    const job: Job = {
      view,
      files: plan.files.map((f) => ({ path: f.path, localPath: f.localPath, size: f.size, mtimeMs: 0 })),
      made: card ? [{ path: 'README.md', size: Buffer.byteLength(card), sha256: createHash('sha256').update(card).digest('hex') }] : [],
      run: null,
      cancelled: false,
      lastEmit: 0,
      timer: null,
      samples: [],
      doneBytes: 0,
    };
    this.#jobs.set(view.id, job);
    this.#emit(job, true);
    void this.#run(job, plan, input, card);
    return view;
  }

  async #validateCard(card: string, repoType: string): Promise<void> {
    if (card.startsWith('---') && !/\n---\s*(\n|$)/.test(card.slice(3))) {
      throw new ApiError('VALIDATION_FAILED', 'The card’s metadata block (between the --- lines) is not closed.');
    }
    const hub = this.#o.hub;
    const res = await hub.fetch(hub.url('/api/validate-yaml'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: card, repoType }),
      throwOnError: false,
      retries: 2,
    });
    if (res.ok || res.status === 404) return; // an older Hub without the check: the commit will tell
    const body = (await res.json().catch(() => ({}))) as { errors?: { message?: unknown }[] };
    const first = body.errors?.find((e) => typeof e.message === 'string')?.message as string | undefined;
    throw new ApiError('VALIDATION_FAILED', `The Hub refuses the card’s metadata: ${first ?? `HTTP ${res.status}`}.`);
  }

  async #run(job: Job, plan: PublishPlan, input: StartInput, card: string | null): Promise<void> {
    const hub = this.#o.hub;
    const repo: RepoRef = { type: plan.repoType, id: plan.repo };
    let committed = false;
    try {
      if (plan.createsRepo) {
        const [namespace, name] = plan.repo.split('/') as [string, string];
        const res = await hub.fetch(hub.url('/api/repos/create'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            name,
            ...(namespace !== plan.access.user ? { organization: namespace } : {}),
            type: plan.repoType,
            private: input.target.private,
            visibility: input.target.private ? 'private' : 'public',
            ...(input.target.license ? { license: input.target.license } : {}),
          }),
          throwOnError: false,
          ctx: { repo: plan.repo },
        });
        if (res.status === 409) {
          // Created meanwhile (by another Hubcap, Python, the website): it is the user's, so publish into it.
        } else if (!res.ok) {
          const said = res.headers.get('x-error-message') ?? ((await res.json().catch(() => ({}))) as { error?: string }).error ?? '';
          throw new HubError(res.status === 403 ? 'FORBIDDEN' : 'SERVER_ERROR', `The Hub did not create ${plan.repo}: ${said || `HTTP ${res.status}`}.`, {
            status: res.status,
            permanent: res.status < 500,
          });
        } else job.view.createdRepo = true;
      }
      if (plan.createsBranch) {
        await hub.fetch(hub.url(`/api/${repoApiPath(repo)}/branch/${encodeURIComponent(plan.revision)}`), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
          ctx: { repo: plan.repo, revision: plan.revision },
        });
      }
      const send = plan.files.filter((f) => f.action !== 'unchanged');
      let parent = plan.parentCommit;
      const parts = Math.max(1, Math.ceil(send.length / this.#perCommit));
      for (let i = 0; i < parts; i++) {
        if (job.cancelled) throw new ApiError('CANCELLED', 'Publishing was cancelled.');
        const batch = send.slice(i * this.#perCommit, (i + 1) * this.#perCommit);
        const texts = i === parts - 1 && card ? [{ path: 'README.md', text: card }] : [];
        job.view.part = { index: i + 1, of: parts };
        const sizes = new Map(batch.map((f) => [f.path, f.size]));
        const batchBytes = batch.reduce((a, f) => a + f.size, 0) + texts.reduce((a, t) => a + Buffer.byteLength(t.text), 0);
        const run = runCommit(
          {
            endpoint: hub.endpoint,
            token: this.#o.token(),
            repo: { type: plan.repoType, name: plan.repo },
            branch: plan.revision,
            isPullRequest: plan.createPr,
            parentCommit: parent,
            title: parts > 1 ? `${input.message} (part ${i + 1} of ${parts})` : input.message,
            description: input.description,
            files: batch.map((f) => ({ path: f.path, localPath: f.localPath, size: f.size })),
            texts,
            stallMs: this.#o.stallMs ?? 30_000,
            retries: this.#o.retries ?? 4,
            timeoutMs: null,
          },
          this.#o.worker,
          (p) => {
            if (job.cancelled) return;
            job.view.state =
              p.phase === 'committing' ? 'committing' : p.phase === 'preuploading' ? 'preparing' : Object.keys(p.sent).length > 0 ? 'uploading' : 'hashing';
            job.view.cancellable = p.phase !== 'committing';
            const hashed = Object.values(p.hashed).reduce((a, b) => a + b, 0);
            const sent = Object.values(p.sent).reduce((a, b) => a + b, 0);
            job.view.bytesHashed = Math.min(job.view.bytesTotal, job.doneBytes + hashed);
            job.view.bytesSent = Math.min(job.view.bytesTotal, job.doneBytes + sent);
            job.view.active = [...sizes.entries()]
              .filter(([path, size]) => (p.sent[path] ?? 0) < size && ((p.sent[path] ?? 0) > 0 || ((p.hashed[path] ?? 0) > 0 && (p.hashed[path] ?? 0) < size)))
              .slice(0, 5)
              .map(([path, size]) =>
                p.sent[path] !== undefined
                  ? { path, state: 'uploading' as const, fraction: (p.sent[path] ?? 0) / Math.max(1, size) }
                  : { path, state: 'hashing' as const, fraction: (p.hashed[path] ?? 0) / Math.max(1, size) },
              );
            this.#emit(job);
          },
        );
        job.run = run;
        const result = await run.done;
        job.run = null;
        committed = true;
        parent = result.commit.oid;
        job.doneBytes += batchBytes;
        job.view.commit = result.commit;
        job.view.pullRequestUrl = result.pullRequestUrl;
      }
      this.#finish(job, 'done', null);
    } catch (error) {
      job.run = null;
      const cancelled = job.cancelled || (error instanceof ApiError && error.code === 'CANCELLED');
      if (job.view.createdRepo && !committed) await this.#removeCreatedRepo(repo).catch(() => undefined);
      const e = error instanceof ApiError ? error : new ApiError('INTERNAL', (error as Error).message);
      this.#finish(job, cancelled ? 'cancelled' : 'failed', cancelled ? null : { code: e.code, message: e.message });
    }
  }

  /** Only a repo this job created and that still holds nothing but its first commit. */
  async #removeCreatedRepo(repo: RepoRef): Promise<void> {
    const hub = this.#o.hub;
    const res = await hub.fetch(hub.url(`/api/${repoApiPath(repo)}`), { ctx: { repo: repo.id } });
    const info = (await res.json()) as { siblings?: { rfilename?: unknown }[] };
    if ((info.siblings ?? []).some((s) => s.rfilename !== '.gitattributes')) return;
    const [namespace, name] = repo.id.split('/') as [string, string];
    await hub.fetch(hub.url('/api/repos/delete'), {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, organization: namespace, type: repo.type }),
      ctx: { repo: repo.id },
    });
  }

  #finish(job: Job, state: 'done' | 'failed' | 'cancelled', error: PublishJob['error']): void {
    job.view.state = state;
    job.view.error = error;
    job.view.cancellable = false;
    job.view.active = [];
    job.view.etaSeconds = null;
    job.view.speed = 0;
    if (state === 'done') {
      job.view.bytesSent = job.view.bytesTotal;
      job.view.bytesHashed = job.view.bytesTotal;
    }
    job.view.finishedAt = new Date().toISOString();
    this.#emit(job, true);
  }

  #get(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new ApiError('NOT_FOUND', 'No such publish job.');
    return job;
  }

  cancel(id: string): PublishJob {
    const job = this.#get(id);
    if (['done', 'failed', 'cancelled'].includes(job.view.state)) return job.view;
    if (!job.view.cancellable) throw new ApiError('CONFLICT', 'The commit is being recorded on the Hub: it can no longer be cancelled.');
    job.cancelled = true;
    job.run?.abort();
    return job.view;
  }

  async verify(id: string): Promise<PublishJob> {
    const job = this.#get(id);
    const commit = job.view.commit;
    if (job.view.state !== 'done' || !commit) throw new ApiError('CONFLICT', 'Only a finished publish can be verified.');
    if (job.view.verify?.state === 'running') return job.view;
    job.view.verify = { state: 'running', checked: 0, total: job.files.length + job.made.length, mismatches: [], message: null };
    this.#emit(job, true);
    void (async () => {
      try {
        const files = [...job.made];
        for (const f of job.files) files.push({ path: f.path, size: f.size, sha256: await this.#o.hashes.sha256(f.localPath) });
        const mismatches = await verifyPublished(this.#o.hub, { type: job.view.repoType, id: job.view.repo }, commit.oid, files, (checked, bad) => {
          const v = job.view.verify;
          if (!v) return;
          v.checked = checked;
          if (bad) v.mismatches.push(bad);
          this.#emit(job);
        });
        job.view.verify = {
          state: mismatches.length ? 'mismatch' : 'ok',
          checked: files.length,
          total: files.length,
          mismatches,
          message: mismatches.length
            ? `${plural(mismatches.length, 'file')} of ${files.length} on the Hub do not match what was published.`
            : files.length === 1
              ? 'The Hub serves the same sha256 for the published file.'
              : `The Hub serves the same sha256 for all ${files.length} files.`,
        };
      } catch (error) {
        job.view.verify = { ...(job.view.verify as NonNullable<PublishJob['verify']>), state: 'failed', message: (error as Error).message };
      }
      this.#emit(job, true);
    })();
    return job.view;
  }

  #emit(job: Job, force = false): void {
    const now = Date.now();
    job.samples.push({ t: now, bytes: job.view.bytesSent });
    while (job.samples.length > 2 && now - (job.samples[0] as { t: number }).t > 5000) job.samples.shift();
    const first = job.samples[0] as { t: number; bytes: number };
    const dt = (now - first.t) / 1000;
    if (dt > 0.5 && !['done', 'failed', 'cancelled'].includes(job.view.state)) {
      job.view.speed = Math.max(0, (job.view.bytesSent - first.bytes) / dt);
      job.view.etaSeconds = job.view.speed > 0 ? Math.ceil((job.view.bytesTotal - job.view.bytesSent) / job.view.speed) : null;
    }
    if (!force && now - job.lastEmit < EVENT_INTERVAL_MS) {
      job.timer ??= setTimeout(() => {
        job.timer = null;
        this.#emit(job, true);
      }, EVENT_INTERVAL_MS);
      return;
    }
    if (job.timer) {
      clearTimeout(job.timer);
      job.timer = null;
    }
    job.lastEmit = now;
    this.#o.onChange({
      ...job.view,
      active: [...job.view.active],
      verify: job.view.verify ? { ...job.view.verify, mismatches: [...job.view.verify.mismatches] } : null,
    });
  }
}

type PublishFile = PublishPlan['files'][number];
