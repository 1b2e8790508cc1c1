/**
 * Running a publish job: create the repo (a 409 means it appeared meanwhile: it is the user's, so
 * publish into it) and the branch if the plan says so, then commit the files in parts through the
 * upload worker, each part on top of the last, with progress folded into the job. A repo this job
 * created is removed again when the job fails or is cancelled before its first commit, so nothing
 * is left half-done on the Hub.
 */
import type { z } from 'zod';
import { ApiError } from '../contract/errors';
import type { PublishJob, PublishPlan, PublishStart } from '../contract/publish';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { repoApiPath, type RepoRef } from '../hub/repo-id';
import { runCommit, type UploadWorkerFactory } from './commit-runner';
import { applyCommitProgress, type Job } from './job-progress';

type StartInput = z.output<typeof PublishStart>;

export interface RunContext {
  hub: HubHttp;
  token: () => string | null;
  worker: UploadWorkerFactory;
  stallMs: number;
  retries: number;
  perCommit: number;
  /** Offer Xet to the Hub (false: LFS only, HF_HUB_DISABLE_XET). */
  useXet: boolean;
  emit: (job: Job) => void;
  finish: (job: Job, state: 'done' | 'failed' | 'cancelled', error: PublishJob['error']) => void;
}

async function createRepo(hub: HubHttp, plan: PublishPlan, input: StartInput, job: Job): Promise<void> {
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
  // An answer left unread holds its kept-alive connection: each path below reads or cancels it.
  const settle = () => (res.bodyUsed ? undefined : res.body?.cancel().catch(() => undefined));
  if (res.status === 409) return settle(); // created meanwhile (another Hubcap, Python, the website): the user's, so publish into it
  if (!res.ok) {
    const said = res.headers.get('x-error-message') ?? ((await res.json().catch(() => ({}))) as { error?: string }).error ?? '';
    await settle();
    throw new HubError(res.status === 403 ? 'FORBIDDEN' : 'SERVER_ERROR', `The Hub did not create ${plan.repo}: ${said || `HTTP ${res.status}`}.`, {
      status: res.status,
      permanent: res.status < 500,
    });
  }
  await settle();
  job.view.createdRepo = true;
}

/** Only a repo this job created and that still holds nothing but its first commit. */
async function removeCreatedRepo(hub: HubHttp, repo: RepoRef): Promise<void> {
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

/** Commits the files to send in parts of `perCommit`; the card goes with the last part. */
async function commitParts(ctx: RunContext, job: Job, plan: PublishPlan, input: StartInput, card: string | null): Promise<void> {
  const send = plan.files.filter((f) => f.action !== 'unchanged');
  let parent = plan.parentCommit;
  const parts = Math.max(1, Math.ceil(send.length / ctx.perCommit));
  for (let i = 0; i < parts; i++) {
    if (job.cancelled) throw new ApiError('CANCELLED', 'Publishing was cancelled.');
    const batch = send.slice(i * ctx.perCommit, (i + 1) * ctx.perCommit);
    const texts = i === parts - 1 && card ? [{ path: 'README.md', text: card }] : [];
    job.view.part = { index: i + 1, of: parts };
    const sizes = new Map(batch.map((f) => [f.path, f.size]));
    const batchBytes = batch.reduce((a, f) => a + f.size, 0) + texts.reduce((a, t) => a + Buffer.byteLength(t.text), 0);
    let xorbBytes = 0;
    const run = runCommit(
      {
        endpoint: ctx.hub.endpoint,
        token: ctx.token(),
        repo: { type: plan.repoType, name: plan.repo },
        branch: plan.revision,
        isPullRequest: plan.createPr,
        parentCommit: parent,
        title: parts > 1 ? `${input.message} (part ${i + 1} of ${parts})` : input.message,
        description: input.description,
        files: batch.map((f) => ({ path: f.path, localPath: f.localPath, size: f.size, replaces: f.action === 'replace' })),
        texts,
        stallMs: ctx.stallMs,
        retries: ctx.retries,
        timeoutMs: null,
        useXet: ctx.useXet,
      },
      ctx.worker,
      (p) => {
        if (job.cancelled) return;
        xorbBytes = p.xorbBytes;
        applyCommitProgress(job, p, sizes);
        ctx.emit(job);
      },
    );
    job.run = run;
    const result = await run.done;
    job.run = null;
    parent = result.commit.oid;
    job.doneBytes += batchBytes;
    job.doneXetBytes += xorbBytes;
    job.view.commit = result.commit;
    job.view.pullRequestUrl = result.pullRequestUrl;
  }
}

export async function runPublishJob(ctx: RunContext, job: Job, plan: PublishPlan, input: StartInput, card: string | null): Promise<void> {
  const hub = ctx.hub;
  const repo: RepoRef = { type: plan.repoType, id: plan.repo };
  try {
    if (plan.createsRepo) await createRepo(hub, plan, input, job);
    if (plan.createsBranch) {
      await hub.fetch(hub.url(`/api/${repoApiPath(repo)}/branch/${encodeURIComponent(plan.revision)}`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        ctx: { repo: plan.repo, revision: plan.revision },
      });
    }
    await commitParts(ctx, job, plan, input, card);
    ctx.finish(job, 'done', null);
  } catch (error) {
    job.run = null;
    const cancelled = job.cancelled || (error instanceof ApiError && error.code === 'CANCELLED');
    if (job.view.createdRepo && job.view.commit === null) await removeCreatedRepo(hub, repo).catch(() => undefined);
    const e = error instanceof ApiError ? error : new ApiError('INTERNAL', (error as Error).message);
    ctx.finish(job, cancelled ? 'cancelled' : 'failed', cancelled ? null : { code: e.code, message: e.message });
  }
}
