/**
 * The upload worker: runs @huggingface/hub's commit (preupload, LFS batch, basic and multipart
 * transfers, the NDJSON commit) in a worker thread, so its sha256 of large files (which it
 * computes itself, chunk by chunk) never runs on the core's thread. We wrap the library, not fork
 * the protocol: its `fetch` is ours (HubHttp: the token only to the Hub's origin, typed errors),
 * with what it lacks for us: retries of idempotent requests with backoff, a stall watchdog on
 * upload connections, byte progress counted from the bodies (CountingFileBlob), and cancel.
 * Xet: the library offers it and the Hub decides (`transfer: "xet"`); its CAS requests go out with
 * their CAS token to the CAS origin the Hub named only (xet-route.ts), progress then follows the
 * library's per-file fractions (it counts deduplicated bytes as sent), and the xorb bytes posted
 * are reported as what really travelled.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { commitIter, type CommitOperation, type CommitOutput } from '@huggingface/hub';
import { ApiError } from '../contract/errors';
import { HubError, networkError } from '../hub/errors';
import { RETRY_POLICIES, retryDelayMs } from '../hub/retry';
import { HubHttp, USER_AGENT } from '../hub/http';
import { CountingFileBlob } from './file-blob';
import { dedupQueryFor, dedupQueryHash, PriorChunks } from './prior-chunks';
import { postBytes, putFile } from './storage-put';
import type { CommitPhase, WorkerCommand, WorkerInput, WorkerMessage } from './worker-protocol';
import { isDedupQuery, isXorbPost, XetRoute } from './xet-route';

const input = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error('upload-worker runs as a worker thread');

const job = new AbortController();
port.on('message', (m: WorkerCommand) => {
  if (m.type === 'abort') job.abort();
});

const post = (m: WorkerMessage) => port.postMessage(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- progress ----------

const sizes = new Map(input.files.map((f) => [f.path, f.size]));
const hashed: Record<string, number> = {};
const hashDone = new Set<string>();
/** Per file: per slice start, the latest reader's bytes (a retried part starts again from 0). */
const reads = new Map<string, Map<number, { stream: number; bytes: number }>>();
/** Over Xet: per file, the library's fraction done (deduplicated bytes count as sent). */
const xetSent: Record<string, number> = {};
const route = new XetRoute(input.token);
let phase: CommitPhase = 'preuploading';
let lastPost = 0;
let pending: NodeJS.Timeout | null = null;

function sentBytes(): Record<string, number> {
  // Over Xet the file is read to be chunked, not sent: its reads say nothing of the upload.
  if (route.via === 'xet') return { ...xetSent };
  const out: Record<string, number> = {};
  for (const [p, slices] of reads) {
    if (!hashDone.has(p)) continue;
    let n = 0;
    for (const s of slices.values()) n += s.bytes;
    out[p] = Math.min(n, sizes.get(p) ?? n);
  }
  return out;
}

/** At most 10 progress messages a second; the service throttles its events again. */
function report(force = false): void {
  const now = Date.now();
  if (!force && now - lastPost < 100) {
    pending ??= setTimeout(() => {
      pending = null;
      report(true);
    }, 100);
    return;
  }
  lastPost = now;
  post({ type: 'progress', phase, hashed: { ...hashed }, sent: sentBytes(), via: route.via, xorbBytes: route.xorbBytes });
}

function blobFor(file: { path: string; localPath: string; size: number }): CountingFileBlob {
  return new CountingFileBlob(file.localPath, 0, file.size, (start, stream, bytes) => {
    const slices = reads.get(file.path) ?? new Map<number, { stream: number; bytes: number }>();
    reads.set(file.path, slices);
    const cur = slices.get(start);
    if (!cur || cur.stream !== stream) slices.set(start, { stream, bytes });
    else cur.bytes = bytes;
    if (hashDone.has(file.path)) report();
  });
}

// ---------- fetch ----------

const hub = new HubHttp({
  endpoint: input.endpoint,
  token: () => input.token,
  offline: () => false,
  ...(input.timeoutMs ? { timeoutMs: input.timeoutMs } : {}),
});

/** The previous revision's chunks, offered to the library's dedup query (prior-chunks.ts). */
const prior = new PriorChunks(hub, { type: input.repo.type, id: input.repo.name }, input.parentCommit ?? input.branch, job.signal);

/** A dedup query the CAS answered 404: asked again about the previous revision's first chunk of that file. */
async function priorAnswer(url: string, init: RequestInit): Promise<Response | null> {
  const asked = dedupQueryHash(url);
  const old = asked ? await prior.insteadOf(asked) : null;
  if (!old) return null;
  const res = await uploadFetch(dedupQueryFor(url, old), init);
  if (!res.ok) return null;
  prior.primed += 1;
  return res;
}

/** Waiting for the upload host's answer once the whole body is sent (it hashes what it got). */
const ANSWER_WAIT_MS = 10 * 60_000;

async function storageError(res: Response, host: string): Promise<HubError> {
  let said = res.headers.get('x-error-message') ?? '';
  if (!said) said = (await res.text().catch(() => '')).slice(0, 300);
  const status = res.status;
  const message = `The upload host (${host}) answered HTTP ${status}${said ? `: ${said}` : ''}.`;
  if (status === 429) return new HubError('RATE_LIMITED', message, { status, host });
  if (status >= 500) return new HubError('SERVER_ERROR', message, { status, host });
  return new HubError(status === 401 || status === 403 ? 'FORBIDDEN' : 'SERVER_ERROR', message, { status, host, permanent: true });
}

const uploadFetch: typeof fetch = async (resource, init = {}) => {
  const url = typeof resource === 'string' ? resource : resource instanceof URL ? resource.toString() : resource.url;
  const onHub = hub.isHubUrl(url);
  const host = new URL(url).host;
  // The commit is the one request that is not idempotent: asking twice could commit twice.
  const isCommit = onHub && /\/commit\/[^/]+$/.test(new URL(url).pathname);
  const body = init.body instanceof CountingFileBlob ? init.body : null;
  const cas = !onHub && route.isCas(url);
  for (let attempt = 0; ; attempt++) {
    const attemptAbort = new AbortController();
    const signal = AbortSignal.any([job.signal, attemptAbort.signal]);
    let stalled = false;
    const started = Date.now();
    const watchdog = body
      ? setInterval(() => {
          const idle = body.stalledFor();
          if (idle > input.stallMs || (idle === 0 && Date.now() - started > ANSWER_WAIT_MS)) {
            stalled = true;
            attemptAbort.abort();
          }
        }, 500)
      : null;
    try {
      const res = cas
        ? init.body instanceof Uint8Array && isXorbPost(url, init)
          ? await postBytes(url, init.body, route.casHeaders(url, init, USER_AGENT), AbortSignal.any([signal, AbortSignal.timeout(ANSWER_WAIT_MS)]))
          : await fetch(url, {
              ...init,
              signal: AbortSignal.any([signal, AbortSignal.timeout(ANSWER_WAIT_MS)]),
              headers: route.casHeaders(url, init, USER_AGENT),
              redirect: 'error',
            })
        : body && !onHub && (init.method ?? 'GET').toUpperCase() === 'PUT'
          ? await putFile(url, body, new Headers(init.headers), signal, body.beginRead())
          : await hub.fetch(url, {
              ...init,
              signal,
              retries: 0,
              ctx: { repo: input.repo.name },
              ...(onHub ? {} : { timeoutMs: 0, throwOnError: false }),
            });
      // A chunk the CAS does not know is an answer, not a failure: the library uploads it.
      if (cas && res.status === 404 && isDedupQuery(url, init)) {
        const instead = await priorAnswer(url, init);
        if (!instead) return res;
        await res.body?.cancel();
        return instead;
      }
      if (!onHub && !res.ok) throw await storageError(res, host);
      if (cas && isXorbPost(url, init)) route.noteXorb(init);
      if (onHub) await route.observe(url, res);
      return res;
    } catch (raw) {
      if (job.signal.aborted) throw new ApiError('CANCELLED', 'Publishing was cancelled.');
      const error = stalled
        ? new HubError('NETWORK', `${host} stopped taking bytes for ${Math.round(input.stallMs / 1000)} s.`, { host })
        : raw instanceof ApiError
          ? raw
          : (raw as Error).name === 'AbortError'
            ? new HubError('NETWORK', `The connection to ${host} was interrupted.`, { host })
            : networkError(raw, url);
      const retryable = error instanceof HubError && error.transient && (!isCommit || error.code === 'RATE_LIMITED' || error.details.status === 503);
      if (!retryable || attempt >= input.retries) {
        if (error instanceof HubError && attempt > 0) error.details.attempts = attempt + 1;
        if (isCommit && error instanceof HubError && error.code === 'NETWORK') {
          throw new HubError(
            'NETWORK',
            `The connection was lost while the Hub recorded the commit: look at ${input.repo.name}'s history before publishing again.`,
            {
              host,
            },
          );
        }
        throw error;
      }
      await sleep(retryDelayMs(RETRY_POLICIES.upload, attempt, error.details.retryAfterSeconds));
    } finally {
      if (watchdog) clearInterval(watchdog);
    }
  }
};

// ---------- the commit ----------

async function run(): Promise<CommitOutput | undefined> {
  const operations: CommitOperation[] = [
    ...input.files.map((f) => ({ operation: 'addOrUpdate' as const, path: f.path, content: blobFor(f) })),
    ...input.texts.map((t) => ({ operation: 'addOrUpdate' as const, path: t.path, content: new Blob([t.text]) })),
  ];
  // Only files that replace one on the Hub can share its chunks.
  await prior.add(input.files.filter((f) => f.replaces));
  const iter = commitIter({
    repo: input.repo,
    title: input.title,
    ...(input.description ? { description: input.description } : {}),
    operations,
    branch: input.branch,
    isPullRequest: input.isPullRequest,
    ...(input.parentCommit ? { parentCommit: input.parentCommit } : {}),
    hubUrl: input.endpoint,
    fetch: uploadFetch,
    abortSignal: job.signal,
    // Offered (unless HF_HUB_DISABLE_XET); the Hub's LFS batch answer decides between Xet and basic/multipart.
    useXet: input.useXet !== false,
  });
  for (;;) {
    const next = await iter.next();
    if (next.done) return next.value;
    const ev = next.value;
    if (ev.event === 'phase') {
      phase = ev.phase;
      report(true);
    } else if (ev.state === 'hashing') {
      hashed[ev.path] = Math.round(ev.progress * (sizes.get(ev.path) ?? 0));
      if (ev.progress >= 1) {
        hashDone.add(ev.path);
        // What the hash read is not sent: count uploads from here.
        reads.delete(ev.path);
      }
      report();
    } else if (ev.state === 'uploading') {
      const size = sizes.get(ev.path) ?? 0;
      xetSent[ev.path] = Math.max(xetSent[ev.path] ?? 0, Math.min(size, Math.round(ev.progress * size)));
      if (!hashDone.has(ev.path)) reads.delete(ev.path);
      hashDone.add(ev.path);
      if (ev.progress >= 1) {
        // Done (or already on the Hub): count it whole.
        reads.set(ev.path, new Map([[0, { stream: -1, bytes: sizes.get(ev.path) ?? 0 }]]));
      }
      report();
    }
  }
}

run()
  .then((out) => {
    if (pending) clearTimeout(pending);
    report(true);
    if (!out) throw new Error('the commit returned nothing');
    post({ type: 'done', commit: { oid: out.commit.oid, url: out.commit.url }, pullRequestUrl: out.pullRequestUrl ?? null });
  })
  .catch((error: unknown) => {
    if (pending) clearTimeout(pending);
    const aborted = job.signal.aborted;
    if (error instanceof ApiError) {
      post({ type: 'error', code: error.code, message: error.message, details: { ...(error.details as Record<string, unknown>) }, aborted });
    } else {
      const e = error as Error;
      post({
        type: 'error',
        code: aborted ? 'CANCELLED' : 'INTERNAL',
        message: aborted ? 'Publishing was cancelled.' : (e?.message ?? String(error)),
        details: {},
        aborted,
      });
    }
  });
