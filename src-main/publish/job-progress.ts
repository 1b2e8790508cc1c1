/**
 * A publish job's live view: the worker's per-file progress folded into the job (state, bytes
 * hashed and sent, the files in flight, how the bytes travel), and its events paced to at most ten
 * a second with a speed and time left over the last seconds. Pure bookkeeping, no I/O.
 */
import type { PublishJob } from '../contract/publish';
import type { CommitProgress, CommitRun } from './commit-runner';
import type { LocalFile } from './files';

/** Progress events per job per second, at most. */
export const EVENT_INTERVAL_MS = 100;

export interface Job {
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
  /** Xorb bytes of the parts already committed. */
  doneXetBytes: number;
}

export const isFinished = (state: PublishJob['state']): boolean => state === 'done' || state === 'failed' || state === 'cancelled';

/** Folds one progress message of the commit in flight (files `sizes`) into the job's view. */
export function applyCommitProgress(job: Job, p: CommitProgress, sizes: Map<string, number>): void {
  const view = job.view;
  view.state = p.phase === 'committing' ? 'committing' : p.phase === 'preuploading' ? 'preparing' : Object.keys(p.sent).length > 0 ? 'uploading' : 'hashing';
  view.cancellable = p.phase !== 'committing';
  if (p.via) view.via = p.via;
  view.xetBytesSent = job.doneXetBytes + p.xorbBytes;
  const hashed = Object.values(p.hashed).reduce((a, b) => a + b, 0);
  const sent = Object.values(p.sent).reduce((a, b) => a + b, 0);
  view.bytesHashed = Math.min(view.bytesTotal, job.doneBytes + hashed);
  view.bytesSent = Math.min(view.bytesTotal, job.doneBytes + sent);
  view.active = [...sizes.entries()]
    .filter(([path, size]) => (p.sent[path] ?? 0) < size && ((p.sent[path] ?? 0) > 0 || ((p.hashed[path] ?? 0) > 0 && (p.hashed[path] ?? 0) < size)))
    .slice(0, 5)
    .map(([path, size]) =>
      p.sent[path] !== undefined
        ? { path, state: 'uploading' as const, fraction: (p.sent[path] ?? 0) / Math.max(1, size) }
        : { path, state: 'hashing' as const, fraction: (p.hashed[path] ?? 0) / Math.max(1, size) },
    );
}

/**
 * Sends the job's view (a copy) through `send`, at most every EVENT_INTERVAL_MS unless forced (a
 * later one is scheduled so the last state always goes out), with the speed and time left.
 */
export function emitJob(job: Job, send: (view: PublishJob) => void, force = false): void {
  const now = Date.now();
  const view = job.view;
  job.samples.push({ t: now, bytes: view.bytesSent });
  while (job.samples.length > 2 && now - (job.samples[0] as { t: number }).t > 5000) job.samples.shift();
  const first = job.samples[0] as { t: number; bytes: number };
  const dt = (now - first.t) / 1000;
  if (dt > 0.5 && !isFinished(view.state)) {
    view.speed = Math.max(0, (view.bytesSent - first.bytes) / dt);
    view.etaSeconds = view.speed > 0 ? Math.ceil((view.bytesTotal - view.bytesSent) / view.speed) : null;
  }
  if (!force && now - job.lastEmit < EVENT_INTERVAL_MS) {
    job.timer ??= setTimeout(() => {
      job.timer = null;
      emitJob(job, send, true);
    }, EVENT_INTERVAL_MS);
    return;
  }
  if (job.timer) {
    clearTimeout(job.timer);
    job.timer = null;
  }
  job.lastEmit = now;
  send({
    ...view,
    active: [...view.active],
    verify: view.verify ? { ...view.verify, mismatches: [...view.verify.mismatches] } : null,
  });
}
