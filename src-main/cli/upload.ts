/**
 * `hubcap upload REPO [PATH…] [--repo-type model|dataset] [--revision BRANCH] [--private|--public]
 * [--create-pr] [--message M] [--description D] [--path-in-repo P] [--include GLOB…] [--exclude GLOB…]
 * [--license ID] [--dry-run] [--json]`, close to `hf upload`: files go to PATH_IN_REPO/<name>,
 * folders keep their structure, the repo is created if missing. Two differences, on purpose: a new
 * repo is private unless --public (as in the app: nothing is published by accident), and files the
 * repo already has with the same bytes are skipped and said so. The token must allow writing; a read
 * token is refused before any byte is sent, with what to do.
 */
import { ApiError, type ErrorCode } from '../contract/errors';
import { formatBytes, formatDuration } from '../contract/present/format';
import type { PublishJob, PublishPlan } from '../contract/publish';
import { benchFields, call, cliCore } from './context';
import type { Parsed } from './command';
import type { UploadOptions } from './table/upload';

function planSummary(plan: PublishPlan): string {
  const t = plan.totals;
  const parts = [`${t.add} to add`, `${t.replace} to replace`, `${t.unchanged} unchanged`];
  const where = plan.createPr ? `a pull request on ${plan.repo}` : `${plan.repo}@${plan.revision}`;
  return `${where}: ${parts.join(', ')} (${formatBytes(t.bytesToSend)} to send)${plan.createsRepo ? '; creates the repo' : ''}${plan.commits > 1 ? `; in ${plan.commits} commits` : ''}`;
}

export async function upload({ values, positionals }: Parsed<UploadOptions>): Promise<number> {
  const [repo, ...paths] = positionals;
  if (!repo) throw new ApiError('VALIDATION_FAILED', 'usage: hubcap upload REPO [PATH…] [--path-in-repo P] [--create-pr] [--message M]');
  if (values.private && values.public) throw new ApiError('VALIDATION_FAILED', '--private and --public cannot both be given');
  const typeArg = values['repo-type'];
  if (typeArg !== 'model' && typeArg !== 'dataset') throw new ApiError('VALIDATION_FAILED', '--repo-type must be model or dataset');
  const repoType: 'model' | 'dataset' = typeArg;
  const source = { paths: paths.length > 0 ? paths : ['.'] };
  const target = {
    repo,
    repoType,
    revision: values.revision,
    createPr: values['create-pr'],
    pathInRepo: values['path-in-repo'],
    include: values.include,
    exclude: values.exclude,
    private: !values.public,
    license: values.license,
  };
  const core = await cliCore({});
  try {
    const plan = await call(core, 'publish.plan', { source, target });
    const say = (s: string) => {
      if (!values.quiet && !values.json) process.stderr.write(`${s}\n`);
    };
    for (const s of plan.skipped) say(`hubcap: skipped ${s.path}: ${s.reason}`);
    if (plan.problem) {
      process.stderr.write(
        `hubcap: needed: ${plan.problem.needed}\nhubcap: create one at ${plan.problem.createTokenUrl}, then \`hubcap\` uses it from HF_TOKEN or the app's keychain.\n`,
      );
      throw new ApiError('FORBIDDEN', plan.problem.message);
    }
    say(planSummary(plan));
    if (values['dry-run']) {
      if (values.json) process.stdout.write(`${JSON.stringify({ ok: true, dryRun: true, plan })}\n`);
      else for (const f of plan.files) process.stdout.write(`${f.action.padEnd(9)} ${f.path}  ${formatBytes(f.size)}\n`);
      return 0;
    }
    if (plan.totals.add + plan.totals.replace === 0) {
      say(`hubcap: everything is already on ${plan.repo} with the same bytes; nothing to upload.`);
      if (values.json) process.stdout.write(`${JSON.stringify({ ok: true, unchanged: true, repo: plan.repo })}\n`);
      return 0;
    }
    const tty = process.stderr.isTTY && !values.quiet && !values.json;
    let id: string | null = null;
    const early: PublishJob[] = [];
    let resolveDone: (job: PublishJob) => void = () => {};
    const finished = new Promise<PublishJob>((r) => (resolveDone = r));
    const seen = (job: PublishJob) => {
      if (['done', 'failed', 'cancelled'].includes(job.state)) return resolveDone(job);
      if (!tty) return;
      const pct = job.bytesTotal ? Math.floor((job.bytesSent / job.bytesTotal) * 100) : 0;
      const what = job.state === 'hashing' ? `hashing ${formatBytes(job.bytesHashed)}` : job.state;
      process.stderr.write(
        `\r${job.repo}  ${what}  ${String(pct).padStart(3)}%  ${formatBytes(job.bytesSent)} / ${formatBytes(job.bytesTotal)}  ${formatBytes(job.speed)}/s  ETA ${formatDuration(job.etaSeconds)}${job.via === 'xet' ? '  via Xet' : ''}\x1b[K`,
      );
    };
    core.events.on((name, payload) => {
      if (name !== 'publish.changed') return;
      const job = payload as PublishJob;
      if (id === null) early.push(job);
      else if (job.id === id) seen(job);
    });
    // Ctrl-C cancels: nothing is committed unless the commit was already sent.
    process.once('SIGINT', () => {
      if (!id) process.exit(130);
      void call(core, 'publish.cancel', { id }).catch((e: unknown) => process.stderr.write(`\nhubcap: ${(e as Error).message}\n`));
    });
    const message = values.message ?? (plan.files.length === 1 ? `Upload ${plan.files[0]?.path ?? 'file'} with Hubcap` : 'Upload folder with Hubcap');
    const job = await call(core, 'publish.start', {
      source,
      target,
      message,
      description: values.description,
      ...(plan.parentCommit ? { parentCommit: plan.parentCommit } : {}),
    });
    id = job.id;
    for (const j of [...early.splice(0), job]) if (j.id === id) seen(j);
    const done = await finished;
    if (tty) process.stderr.write('\n');
    if (done.state === 'cancelled') {
      say(`hubcap: cancelled; nothing was committed${done.part.index > 1 ? ' after part ' + String(done.part.index - 1) : ''}.`);
      return 130;
    }
    if (done.state !== 'done' || !done.commit)
      throw new ApiError((done.error?.code ?? 'INTERNAL') as ErrorCode, done.error?.message ?? 'The upload did not finish.');
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ ok: true, repo: done.repo, commit: done.commit.oid, commitUrl: done.commit.url, pullRequestUrl: done.pullRequestUrl, files: plan.files.map((f) => ({ path: f.path, action: f.action })), bytes: done.bytesTotal, via: done.via, xetBytesSent: done.xetBytesSent, ...benchFields() })}\n`,
      );
    } else {
      process.stdout.write(`${done.pullRequestUrl ?? done.commit.url}\n`);
    }
    return 0;
  } finally {
    await core.close();
  }
}
