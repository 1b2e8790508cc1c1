/** `hubcap download REPO [FILES|PATTERNS…] [--revision R] [--cache-dir D] [--repo-type T] [--force] [--connections auto|N] [--json]`. */
import path from 'node:path';
import { formatBytes, formatDuration } from '../contract/present/format';
import { ApiError } from '../contract/errors';
import { downloadRequests, isTerminal, JOB_CONNECTION_BOUNDS, savedBytes, splitSelection, staleSourcesOf, type DownloadJob } from '../contract/downloads';
import { REPO_TYPES, type RepoType } from '../contract/keys';
import { repoDir, snapshotsDir } from '../cache/layout';
import { benchFields, callIn, cliDownloadCore } from './context';
import { stopOnSignals } from './signals';
import type { Parsed } from './command';
import type { DownloadOptions } from './table/download';
import { downloadToFolder } from './download-local-dir';

export async function download({ values, positionals }: Parsed<DownloadOptions>): Promise<number> {
  // Where the start's time goes (#25): bench/phase-trace.mjs prints these marks; each costs microseconds.
  performance.mark('hubcap:handler-imported');
  const [repo, ...selectors] = positionals;
  if (!repo) throw new ApiError('VALIDATION_FAILED', 'usage: hubcap download REPO [FILES|PATTERNS…] [--revision R]');
  const repoType = values['repo-type'] as RepoType;
  if (!REPO_TYPES.includes(repoType)) throw new ApiError('VALIDATION_FAILED', `--repo-type must be model, dataset or space`);
  const connections = values.connections === undefined || values.connections === 'auto' ? values.connections : Number(values.connections);
  const { min, max } = JOB_CONNECTION_BOUNDS;
  if (typeof connections === 'number' && !(Number.isInteger(connections) && connections >= min && connections <= max)) {
    throw new ApiError('VALIDATION_FAILED', `--connections must be auto or a whole number from ${min} to ${max}`);
  }
  if (values['local-dir'] !== undefined)
    return downloadToFolder({
      repo,
      repoType,
      revision: values.revision,
      selectors,
      dir: values['local-dir'],
      overwrite: values.overwrite,
      json: values.json,
      quiet: values.quiet,
      cacheDir: values['cache-dir'],
    });
  // Only the capabilities a download uses are loaded and built (core/download-core.ts).
  const core = await cliDownloadCore({ cacheDir: values['cache-dir'] });
  performance.mark('hubcap:core-built');
  const { files, patterns } = splitSelection(selectors);
  const tty = process.stderr.isTTY && !values.quiet && !values.json;
  const told = new Set<string>();
  let id: string | null = null;
  let resolveDone: (job: DownloadJob) => void = () => {};
  const finished = new Promise<DownloadJob>((r) => (resolveDone = r));
  const seen = (job: DownloadJob) => {
    // Said once per file, whatever the output: a wait on another program must never look like a hang.
    for (const f of job.files) {
      if (f.state === 'waiting' && !told.has(f.path) && !values.quiet) {
        told.add(f.path);
        process.stderr.write(`${tty ? '\n' : ''}hubcap: waiting for another program that is downloading ${f.path}…\n`);
      }
    }
    if (isTerminal(job.state)) return resolveDone(job);
    if (!tty || job.state !== 'downloading') return;
    const pct = job.bytesTotal ? Math.floor((job.bytesDone / job.bytesTotal) * 100) : 0;
    const filesDone = job.files.filter((f) => f.state === 'done').length;
    process.stderr.write(
      `\r${job.request.repo}  ${String(pct).padStart(3)}%  ${formatBytes(job.bytesDone)} / ${formatBytes(job.bytesTotal)}  ${formatBytes(job.speed)}/s  ETA ${formatDuration(job.etaSeconds)}  [${filesDone}/${job.files.length} files]\x1b[K`,
    );
  };
  const early: DownloadJob[] = [];
  core.events.on((name, payload) => {
    if (name !== 'downloads.changed') return;
    const job = payload as DownloadJob;
    if (id === null) early.push(job);
    else if (job.id === id) seen(job);
  });
  // The download stays resumable: its partial is kept; the next run continues it.
  stopOnSignals(() => core.close());
  const started = Date.now();
  const job = await callIn(downloadRequests, core, 'downloads.start', {
    repoType,
    repo,
    revision: values.revision,
    ...(files.length ? { files } : {}),
    ...(patterns.length ? { patterns } : {}),
    ...(values.force ? { force: true } : {}),
    ...(connections ? { connections } : {}),
  }).catch((error: unknown) => {
    throw error instanceof ApiError ? new ApiError(error.code, withHeadlessHint(error.code, error.message), error.details) : error;
  });
  performance.mark('hubcap:download-started');
  id = job.id;
  for (const j of [...early.splice(0), job]) if (j.id === id) seen(j);
  const done = await finished;
  await core.close();
  // The progress line ends on what happened, never on the last throttled "99 %".
  if (tty) process.stderr.write(done.state === 'done' ? `\r${done.request.repo}  100%  ${formatBytes(done.bytesTotal)}\x1b[K\n` : '\n');
  for (const s of done.skipped) process.stderr.write(`hubcap: skipped ${s.path}: ${s.reason}\n`);
  for (const [file, copies] of Object.entries(staleSourcesOf(done.files)))
    process.stderr.write(`hubcap: ${file}: the old copy ${copies.join(', ')} no longer matches its sha256; nothing was reused from it\n`);
  const xetHashDiffers = done.files.filter((f) => f.xetHashDiffers).map((f) => f.path);
  for (const file of xetHashDiffers)
    process.stderr.write(`hubcap: ${file}: its sha256 matched, but its chunks did not hash to the Xet hash the Hub named; it was kept\n`);
  if (done.state !== 'done')
    throw new ApiError(done.error?.code ?? 'INTERNAL', withHeadlessHint(done.error?.code, done.error?.message ?? 'The download did not finish.'));
  const snapshot = path.join(snapshotsDir(repoDir(done.cacheDir, { type: repoType, id: done.request.repo })), done.commit as string);
  if (!values.json && !values.quiet) process.stderr.write(`${summaryLine(done, Date.now() - started, snapshot)}\n`);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ ok: true, repo: done.request.repo, revision: done.request.revision, commit: done.commit, snapshot, files: done.files.map((f) => f.path), via: Object.fromEntries(done.files.map((f) => [f.path, f.via ?? null])), savedBytes: savedBytes(done.files), staleSources: staleSourcesOf(done.files), xetHashDiffers, bytes: done.bytesTotal, seconds: (Date.now() - started) / 1000, ...benchFields() })}\n`,
    );
  } else {
    process.stdout.write(`${snapshot}\n`);
  }
  return 0;
}

/** "hubcap: 3 files, 5.24 MB in 2.1 s → <snapshot>": what a finished download did, in one line. */
export function summaryLine(job: Pick<DownloadJob, 'files' | 'bytesTotal'>, ms: number, snapshot: string): string {
  const n = job.files.length;
  return `hubcap: ${n} file${n === 1 ? '' : 's'}, ${formatBytes(job.bytesTotal)} in ${(ms / 1000).toFixed(1)} s → ${snapshot}`;
}

/**
 * A box without a browser signs in with an environment variable or the token file Python's `hf`
 * writes (Hubcap reads both); the error says so on the same line (errors are one line).
 */
export function withHeadlessHint(code: string | undefined, message: string): string {
  if (code !== 'GATED' && code !== 'UNAUTHORIZED') return message;
  return `${message} Without a browser: sign in once with \`hubcap login\` (the token goes to this machine's keychain), or set HF_TOKEN=hf_… for this command where there is no keychain; a token file from \`hf auth login\` is read too.`;
}
