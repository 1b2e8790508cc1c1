/**
 * Downloads one blob into the cache: streams into blobs/<etag>.incomplete, resumes with Range after
 * any interruption (a dropped connection, a stall, a killed process), hashes while streaming
 * (sha256 for LFS blobs, git's blob sha1 for regular files) and renames into blobs/<etag> only
 * when the hash matches, so a corrupt blob never lands. Large files may use parallel ranges; the
 * .incomplete file is always a contiguous prefix, so resuming is always exact.
 *
 * Why our own engine (not @huggingface/hub's downloadFileToCacheDir): it has no progress, resume
 * or verification, and names snapshots and refs differently from Python.
 */
import { createStreamHasher, MAX_BACKLOG, type StreamHasher } from './hasher';
import fs from 'node:fs';
import path from 'node:path';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { errorFrom, openBody, type OpenedBody } from './http-stream';

export interface BlobRequest {
  /** The resolve URL of the file at a commit (on the Hub origin). */
  url: string;
  etag: string;
  size: number;
  blobsDir: string;
  ctx: { repo?: string; revision?: string; path?: string; repoUrl?: string };
}

export interface BlobFetchOptions {
  signal: AbortSignal;
  onBytes?: (delta: number) => void;
  /** A stream with no bytes for this long is dropped and resumed (HF_HUB_DOWNLOAD_TIMEOUT). */
  stallTimeoutMs?: number;
  /** Attempts without progress before giving up. */
  maxRetries?: number;
  /** Parallel range connections for large files (1 = one stream). */
  connections?: number;
  segmentBytes?: number;
  /** Files below this size always use one stream. */
  parallelThreshold?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  onRetry?: (error: HubError, attempt: number, delayMs: number) => void;
}

export interface BlobFetchResult {
  path: string;
  alreadyPresent: boolean;
  resumedFrom: number;
  bytesFetched: number;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason as Error);
    }, { once: true });
  });
}

export function cancelledError(): HubError {
  return new HubError('CANCELLED', 'The download was stopped.');
}

function diskError(error: unknown): HubError | null {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new HubError('DISK_FULL', 'The disk is full. The partial download is kept: free some space, then resume.');
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new HubError('INVALID_PATH', `Hubcap cannot write to the cache folder (${code}).`);
  return null;
}

/** A transient failure of one attempt: retried from the bytes already written. */
class Attempt extends Error {
  constructor(
    readonly hubError: HubError,
    readonly restartFromZero = false,
  ) {
    super(hubError.message);
  }
}

export async function fetchBlob(hub: HubHttp, req: BlobRequest, opts: BlobFetchOptions): Promise<BlobFetchResult> {
  const finalPath = path.join(req.blobsDir, req.etag);
  const partial = `${finalPath}.incomplete`;
  const existing = await fs.promises.stat(finalPath).catch(() => null);
  if (existing?.isFile() && existing.size === req.size) return { path: finalPath, alreadyPresent: true, resumedFrom: 0, bytesFetched: 0 };
  await fs.promises.mkdir(req.blobsDir, { recursive: true });
  // A repo folder always has snapshots/ (Python's scanner rejects one without).
  await fs.promises.mkdir(path.join(path.dirname(req.blobsDir), 'snapshots'), { recursive: true });

  const sleep = opts.sleep ?? abortableSleep;
  const maxRetries = opts.maxRetries ?? 8;
  let hasher: StreamHasher = createStreamHasher(req.etag, req.size);
  let written = (await fs.promises.stat(partial).catch(() => null))?.size ?? 0;
  if (written > req.size) {
    await fs.promises.truncate(partial, 0);
    written = 0;
  }
  const resumedFrom = written;
  if (written > 0) {
    // Resuming after a restart: the hash must cover the bytes already on disk.
    for await (const chunk of fs.createReadStream(partial, { end: written - 1, highWaterMark: 1 << 20 })) hasher.update(chunk as Buffer);
  }
  let bytesFetched = 0;
  let location: string | null = null;
  let failures = 0;
  let integrityFailures = 0;
  let segmentsAllowed = (opts.connections ?? 1) > 1;

  const reset = async () => {
    await fs.promises.truncate(partial, 0).catch(() => {});
    hasher.dispose();
    hasher = createStreamHasher(req.etag, req.size);
    written = 0;
  };

  // The hasher may own a worker thread: it goes however this ends.
  try {
  while (true) {
    if (opts.signal.aborted) throw cancelledError();
    try {
      if (written < req.size) {
        const progressBefore = written;
        const useSegments = segmentsAllowed && req.size - written >= (opts.parallelThreshold ?? 64 << 20);
        const result = useSegments ? await fetchSegments() : await fetchStream();
        if (result === 'restart') {
          await reset();
          continue;
        }
        if (written > progressBefore) failures = 0;
      }
      if (written === req.size) {
        const digest = await hasher.digest();
        if (digest !== req.etag) {
          integrityFailures += 1;
          await fs.promises.rm(partial, { force: true });
          hasher = createStreamHasher(req.etag, req.size);
          written = 0;
          if (integrityFailures > 2) {
            throw new HubError('INTEGRITY', `${req.ctx.path ?? 'The file'} arrived corrupted twice (hash mismatch); nothing was saved.`, { ...req.ctx });
          }
          continue;
        }
        // No fsync, as huggingface_hub does not either: it would cost a full flush of a multi-GB
        // file, and a blob damaged by a power cut is caught by `cache verify` (hash by name).
        await fs.promises.rename(partial, finalPath);
        return { path: finalPath, alreadyPresent: false, resumedFrom, bytesFetched };
      }
    } catch (error) {
      if (opts.signal.aborted) throw cancelledError();
      const disk = diskError(error);
      if (disk) throw disk;
      const attempt = error instanceof Attempt ? error : null;
      const hubErr = attempt?.hubError ?? (error instanceof HubError ? error : null);
      if (!hubErr) throw error;
      if (attempt?.restartFromZero) await reset();
      // A signed CDN URL may have expired: resolve again from the Hub.
      if (hubErr.code === 'FORBIDDEN' && location) {
        location = null;
        continue;
      }
      if (!hubErr.transient) throw hubErr;
      failures += 1;
      if (failures > maxRetries) throw hubErr;
      const retryAfter = hubErr.details.retryAfterSeconds;
      const delay = retryAfter !== undefined ? Math.min(60_000, retryAfter * 1000) : Math.min(8000, 250 * 2 ** (failures - 1));
      opts.onRetry?.(hubErr, failures, delay);
      await sleep(delay, opts.signal).catch(() => {
        throw cancelledError();
      });
    }
  }
  } finally {
    hasher.dispose();
  }

  /** Opens a range on the current location (resolving it first), mapping errors. */
  async function open(start: number, end?: number): Promise<OpenedBody> {
    const opened = await openBody(hub, location ?? req.url, { start, ...(end !== undefined ? { end } : {}) }, opts.signal);
    if (opened.status === 200 || opened.status === 206) {
      location = opened.finalUrl;
      return opened;
    }
    if (opened.status === 416) {
      opened.res.resume();
      throw new Attempt(new HubError('NETWORK', 'The server refused the resume point.'), true);
    }
    throw await errorFrom(opened, hub, req.ctx);
  }

  async function fetchStream(): Promise<'ok' | 'restart'> {
    const opened = await open(written);
    if (opened.status === 200 && written > 0) {
      // The server ignored Range: start over rather than append the file twice.
      opened.res.destroy();
      return 'restart';
    }
    // A large buffer: with the 16 KiB default every network chunk would pause and resume the socket.
    const out = fs.createWriteStream(partial, { flags: written === 0 ? 'w' : 'a', highWaterMark: 4 << 20 });
    const outError = new Promise<never>((_, reject) => out.once('error', reject));
    outError.catch(() => {});
    try {
      await new Promise<void>((resolve, reject) => {
        const res = opened.res;
        let timer: NodeJS.Timeout | null = null;
        const stallMs = opts.stallTimeoutMs ?? 10_000;
        const arm = () => {
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => res.destroy(new Attempt(new HubError('NETWORK', `No data for ${Math.round(stallMs / 1000)} s; resuming.`))), stallMs);
        };
        const done = (err?: unknown) => {
          if (timer) clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        };
        arm();
        res.on('data', (chunk: Buffer) => {
          arm();
          const room = req.size - written;
          const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
          hasher.update(piece);
          written += piece.length;
          bytesFetched += piece.length;
          opts.onBytes?.(piece.length);
          // Backpressure from the disk and from an off-thread hasher: resume once both are ready.
          const waits: Promise<unknown>[] = [];
          if (!out.write(piece)) waits.push(new Promise<void>((r) => out.once('drain', () => r())));
          if (hasher.backlog >= MAX_BACKLOG) waits.push(hasher.drained());
          if (waits.length) {
            res.pause();
            void Promise.all(waits).then(() => res.resume());
          }
        });
        res.once('end', () => done(written < req.size ? new Attempt(new HubError('NETWORK', 'The connection ended early; resuming.')) : undefined));
        res.once('error', (e) => done(e instanceof Attempt ? e : new Attempt(new HubError('NETWORK', `The connection broke (${(e as NodeJS.ErrnoException).code ?? e.message}); resuming.`))));
        res.once('aborted', () => done(new Attempt(new HubError('NETWORK', 'The connection was reset; resuming.'))));
        out.once('error', (e) => {
          res.destroy();
          done(e);
        });
      });
    } finally {
      await new Promise<void>((r) => out.end(r));
    }
    return 'ok';
  }

  async function fetchSegments(): Promise<'ok' | 'restart'> {
    const segment = opts.segmentBytes ?? 16 << 20;
    const connections = opts.connections ?? 4;
    const ranges: { start: number; end: number }[] = [];
    for (let s = written; s < req.size; s += segment) ranges.push({ start: s, end: Math.min(req.size, s + segment) - 1 });
    const buffers = new Map<number, Buffer>();
    const waiters = new Map<number, () => void>();
    let next = 0;
    let failed: unknown = null;
    const local = new AbortController();
    const onAbort = () => local.abort(opts.signal.reason);
    opts.signal.addEventListener('abort', onAbort, { once: true });
    let rangeIgnored = false;

    const worker = async () => {
      while (!failed && next < ranges.length) {
        const i = next++;
        const r = ranges[i] as { start: number; end: number };
        // Bounded memory: stay at most `connections` segments ahead of the writer.
        while (buffers.size >= connections * 2 && !failed) await new Promise((res) => setTimeout(res, 5));
        try {
          const opened = await openBody(hub, location ?? req.url, r, local.signal);
          if (opened.status === 200) {
            rangeIgnored = true;
            opened.res.destroy();
            throw new Error('range ignored');
          }
          if (opened.status !== 206) throw await errorFrom(opened, hub, req.ctx);
          location = opened.finalUrl;
          const chunks: Buffer[] = [];
          for await (const c of opened.res) chunks.push(c as Buffer);
          const buf = Buffer.concat(chunks);
          if (buf.length !== r.end - r.start + 1) throw new Attempt(new HubError('NETWORK', 'A range arrived short; resuming.'));
          buffers.set(i, buf);
          waiters.get(i)?.();
        } catch (e) {
          failed ??= e;
          local.abort();
          for (const w of waiters.values()) w();
        }
      }
    };

    const out = await fs.promises.open(partial, written === 0 ? 'w' : 'a');
    const workers = Array.from({ length: Math.min(connections, ranges.length) }, () => worker());
    try {
      for (let i = 0; i < ranges.length; i++) {
        while (!buffers.has(i) && !failed) await new Promise<void>((res) => waiters.set(i, res));
        waiters.delete(i);
        const buf = buffers.get(i);
        if (!buf) break;
        buffers.delete(i);
        await out.write(buf);
        hasher.update(buf);
        written += buf.length;
        bytesFetched += buf.length;
        opts.onBytes?.(buf.length);
      }
    } finally {
      failed ??= null;
      local.abort();
      opts.signal.removeEventListener('abort', onAbort);
      await Promise.allSettled(workers);
      await out.close();
    }
    if (rangeIgnored) {
      segmentsAllowed = false;
      return 'restart';
    }
    if (failed && written < req.size) {
      if (failed instanceof Attempt || failed instanceof HubError) throw failed;
      if (opts.signal.aborted) throw cancelledError();
      throw new Attempt(new HubError('NETWORK', `A parallel range failed (${(failed as Error).message}); resuming.`));
    }
    return 'ok';
  }
}
