/**
 * Publishing local files into the user's own Hub repo. A plan says exactly what will happen
 * (files, add/replace/unchanged, the repo created or not, whether the token may write there)
 * before anything is sent; a job then creates the repo if needed, commits through the upload
 * worker with progress and cancel (job-run.ts, job-progress.ts), and can download everything back
 * to confirm the Hub serves the same sha256. The plan is plan.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { ApiError } from '../contract/errors';
import { plural } from '../contract/present/format';
import type { PublishAccess, PublishJob, PublishPlan, PublishStart, PublishPlanInput } from '../contract/publish';
import type { FileHashes } from '../apps/hashes';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import type { Library } from '../library/library';
import type { UploadWorkerFactory } from './commit-runner';
import { emitJob, isFinished, type Job } from './job-progress';
import { runPublishJob } from './job-run';
import { planPublish, tokenScopes, type PlanContext } from './plan';
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
  /**
   * HF_HUB_DISABLE_XET (as Python's uploads): large files go by LFS even when the Hub offers Xet.
   * Faster on a fast link (Xet is CPU-bound in @huggingface/hub), but a new revision then sends
   * whole files, where Xet sends only new chunks (docs/performance.md).
   */
  disableXet?: boolean;
}

/** Files per commit: a large folder goes in parts, as `hf upload-large-folder` does, so no commit is too big for the Hub. */
export const FILES_PER_COMMIT = 1000;

export class PublishService {
  readonly #o: PublishServiceOptions;
  readonly #jobs = new Map<string, Job>();

  constructor(opts: PublishServiceOptions) {
    this.#o = opts;
  }

  get #perCommit(): number {
    return this.#o.filesPerCommit ?? FILES_PER_COMMIT;
  }

  get #planContext(): PlanContext {
    return { ...this.#o, perCommit: this.#perCommit };
  }

  list(): PublishJob[] {
    return [...this.#jobs.values()].map((j) => j.view).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async access(): Promise<PublishAccess> {
    return (await tokenScopes(this.#o)).access;
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

  plan(input: PlanInput): Promise<PublishPlan> {
    return planPublish(this.#planContext, input);
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
      via: null,
      xetBytesSent: 0,
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
      doneXetBytes: 0,
    };
    this.#jobs.set(view.id, job);
    this.#emit(job, true);
    void runPublishJob(
      {
        hub: this.#o.hub,
        token: this.#o.token,
        worker: this.#o.worker,
        stallMs: this.#o.stallMs ?? 30_000,
        retries: this.#o.retries ?? 4,
        perCommit: this.#perCommit,
        useXet: !this.#o.disableXet,
        emit: (j) => this.#emit(j),
        finish: (j, state, error) => this.#finish(j, state, error),
      },
      job,
      plan,
      input,
      card,
    );
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
    if (res.ok || res.status === 404) {
      await res.body?.cancel().catch(() => undefined); // unread, it would hold its kept-alive connection
      return; // (404: an older Hub without the check: the commit will tell)
    }
    const body = (await res.json().catch(() => ({}))) as { errors?: { message?: unknown }[] };
    const first = body.errors?.find((e) => typeof e.message === 'string')?.message as string | undefined;
    throw new ApiError('VALIDATION_FAILED', `The Hub refuses the card’s metadata: ${first ?? `HTTP ${res.status}`}.`);
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
    if (isFinished(job.view.state)) return job.view;
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
    emitJob(job, this.#o.onChange, force);
  }
}
