/**
 * Downloads one blob into the cache, safely beside Python, other Hubcaps and the CLI:
 *  1. a blob of the right size already there is used as is;
 *  2. otherwise the blob's lock is taken (`.locks/<repo>/<etag>.lock`, honoured by Python), waiting
 *     as long as another program holds it, and the blob is looked for again (the other writer
 *     may just have finished it: then not a byte is fetched);
 *  3. under the lock a partial of ours or another tool's is adopted and resumed with Range, or a
 *     fresh one started; bytes are written at their offsets and every write error surfaces;
 *  4. before the rename the file on disk is checked: its size, that the path still names it, and
 *     its hash read back from disk (sha256 for LFS blobs, git's blob sha1 for regular files).
 * Transient failures are retried from the bytes on disk; the final error says what failed (the Hub
 * or the download host), after how many attempts, and what to do next.
 *
 * Why our own engine (not @huggingface/hub's downloadFileToCacheDir): it has no lock, progress,
 * resume or verification, and names snapshots and refs differently from Python.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkEtag } from '../cache/layout';
import { blobLockPath, lockFile } from '../cache/blob-lock';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { isByteCount } from '../hub/limits';
import { ConnectionBudget, ConnectionController } from './connection-controller';
import { abortableSleep, cancelledError, diskError, freeBytes, gaveUp } from './failures';
import { createDiskHasher, type DiskHasher } from './hasher';
import { errorFrom, openBody, type OpenedBody } from './http-stream';
import { claimPartial, replacePartial, SequentialWriter, stillOurs, type PartialFile } from './partial-file';
import { fetchRanges, RangedAttemptError } from './ranged-fetch';
import { RangesRecord, SpanSet } from './range-state';
import { copyLocalBlob } from './local-copy';
import { fetchXetBlob, xetFallsBack, xetOptions } from './xet-blob';

export interface BlobRequest {
  /** The resolve URL of the file at a commit (on the Hub origin). */
  url: string;
  etag: string;
  size: number;
  cacheDir: string;
  /** `models--org--name`: where the blob and its lock live. */
  repoFolder: string;
  ctx: { repo?: string; revision?: string; path?: string; repoUrl?: string };
  /** Fetch even when a blob of the right size is there (its bytes were found corrupt). */
  replace?: boolean;
  /** The file is stored in Xet: its Xet hash and where its read token comes from. */
  xet?: { hash: string; refreshUrl: string };
}

export interface RetryInfo {
  reason: string;
  attempt: number;
  maxAttempts: number;
  delayMs: number;
}

export interface BlobFetchOptions {
  signal: AbortSignal;
  /** Bytes received (`delta`) and where the file now stands (`position`, which drops to 0 on a restart). */
  onBytes?: (delta: number, position: number) => void;
  /** Another program holds the blob's lock: this download waits for it. */
  onWaiting?: () => void;
  onRetry?: (info: RetryInfo) => void;
  /** A stream with no bytes for this long is dropped and resumed (HF_HUB_DOWNLOAD_TIMEOUT). */
  stallTimeoutMs?: number;
  /** Attempts in a row without progress before giving up. */
  maxRetries?: number;
  /** Range connections for a large file: the most the adaptive controller may use ('auto': 16). */
  connections?: number | 'auto';
  /** Connections beyond each file's first, shared by every download at once. */
  budget?: ConnectionBudget;
  /** The block a range connection is handed at a time (default: by file size, see blockBytesFor). */
  segmentBytes?: number;
  /** Files below this size always use one stream. */
  parallelThreshold?: number;
  /** A range connection silent this long while others progress is replaced (default 3 s). */
  connectionStallMs?: number;
  /** Told how many connections the file uses now. */
  onConnections?: (n: number) => void;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Hash in a worker thread (default: when there is a core to spare). */
  hashOffThread?: boolean;
  /** Take the Xet road for Xet files (default true; false for HF_HUB_DISABLE_XET). */
  xet?: boolean;
}

export interface BlobFetchResult {
  path: string;
  alreadyPresent: boolean;
  /** Another program held the lock first. */
  waited: boolean;
  resumedFrom: number;
  bytesFetched: number;
  /** How the bytes came: Xet ranges, one whole-file URL, or a copy of the same blob in another repo here (absent when nothing was done). */
  protocol?: 'xet' | 'http' | 'local';
}

/** Auto's cap: past 16 connections a CDN edge gives no more and starts refusing (429). */
export const AUTO_CONNECTIONS = 16;
/** Files at least this large may use several connections. */
export const PARALLEL_THRESHOLD = 16 << 20;

/**
 * A range connection's block: 1/64 of the file, 4 to 16 MiB. At 20 MB/s per connection a 16 MiB
 * block takes ~0.8 s, so an 80 ms first-byte wait costs ~9% of one connection (one more makes it
 * up), while the hash lag at the end (≤ connections × block, read back at ~1 GB/s) stays ~0.25 s.
 */
export function blockBytesFor(size: number): number {
  return Math.min(16 << 20, Math.max(4 << 20, Math.ceil(size / 64)));
}

const defaultBudget = new ConnectionBudget(24);

/** A transient failure of one attempt: retried from the bytes already on disk. */
class Attempt extends Error {
  constructor(
    readonly hubError: HubError,
    readonly restartFromZero = false,
  ) {
    super(hubError.message);
  }
}

/** Another program deleted the partial we were writing (`hf cache prune` does). */
class PartialGone extends Error {
  constructor() {
    super('another program deleted the partial file');
  }
}

async function isPresent(file: string, size: number): Promise<boolean> {
  const st = await fs.promises.lstat(file).catch(() => null);
  return st !== null && st.isFile() && st.size === size;
}

export async function fetchBlob(hub: HubHttp, req: BlobRequest, opts: BlobFetchOptions): Promise<BlobFetchResult> {
  if (!isByteCount(req.size))
    throw new HubError('INTEGRITY', `The Hub gave ${req.ctx.path ?? 'a file'} an impossible size (${String(req.size).slice(0, 40)}).`, { ...req.ctx });
  checkEtag(req.etag);
  const repoDir = path.join(req.cacheDir, req.repoFolder);
  const blobsDir = path.join(repoDir, 'blobs');
  const finalPath = path.join(blobsDir, req.etag);
  const present = { path: finalPath, alreadyPresent: true, resumedFrom: 0, bytesFetched: 0 };
  if (!req.replace && (await isPresent(finalPath, req.size))) return { ...present, waited: false };
  try {
    await fs.promises.mkdir(blobsDir, { recursive: true });
    // A repo folder always has snapshots/ (Python's scanner rejects one without).
    await fs.promises.mkdir(path.join(repoDir, 'snapshots'), { recursive: true });
  } catch (error) {
    throw (await diskError(error, req.cacheDir, req.size, req.ctx.path)) ?? error;
  }
  let waited = false;
  const lock = await lockFile(blobLockPath(req.cacheDir, req.repoFolder, req.etag), {
    signal: opts.signal,
    onWaiting: () => {
      waited = true;
      opts.onWaiting?.();
    },
  }).catch(async (error: unknown) => {
    if (opts.signal.aborted) throw cancelledError();
    throw (await diskError(error, req.cacheDir, 0, req.ctx.path)) ?? error;
  });
  try {
    // The other writer may have just finished it: then nothing is fetched.
    if (!req.replace && (await isPresent(finalPath, req.size))) return { ...present, waited };
    // The same bytes in another repo of this cache: copied and verified, not downloaded.
    if (!req.replace && (await copyLocalBlob(req.cacheDir, req.repoFolder, req.etag, req.size, finalPath, opts.signal).catch(() => null)))
      return { path: finalPath, alreadyPresent: false, waited, resumedFrom: 0, bytesFetched: 0, protocol: 'local' };
    if (req.xet && opts.xet !== false && req.etag.length === 64) {
      const viaXet = await fetchXetBlob(hub, { etag: req.etag, size: req.size, ctx: req.ctx, xet: req.xet }, xetOptions(opts), blobsDir, finalPath).catch(
        async (error: unknown) => {
          if (opts.signal.aborted) throw cancelledError();
          if (!xetFallsBack(error)) throw (await diskError(error, blobsDir, req.size, req.ctx.path)) ?? error;
          return null;
        },
      );
      if (viaXet)
        return { path: viaXet.path, alreadyPresent: false, waited, resumedFrom: viaXet.resumedFrom, bytesFetched: viaXet.bytesFetched, protocol: 'xet' };
    }
    return { ...(await transfer(hub, req, opts, blobsDir, finalPath)), waited, protocol: 'http' };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** The download proper, under the lock. */
async function transfer(hub: HubHttp, req: BlobRequest, opts: BlobFetchOptions, blobsDir: string, finalPath: string): Promise<Omit<BlobFetchResult, 'waited'>> {
  const file = req.ctx.path ?? req.etag;
  const sleep = opts.sleep ?? abortableSleep;
  const maxRetries = opts.maxRetries ?? 8;
  const mapDisk = async (error: unknown, needed: number) => (await diskError(error, blobsDir, needed, file)) ?? error;

  let partial: PartialFile = await claimPartial(blobsDir, req.etag, req.size).catch(async (e: unknown) => {
    throw await mapDisk(e, req.size);
  });
  let closed = false;
  // A partial written by several connections may have holes: only its record says what is there.
  let done = new SpanSet(partial.done);
  let written = done.prefix();
  const resumedFrom = done.total();
  let hasher: DiskHasher = createDiskHasher(partial.fh.fd, req.etag, req.size, opts.hashOffThread);
  hasher.advance(written);
  opts.onBytes?.(0, resumedFrom);

  let bytesFetched = 0;
  let location: string | null = null;
  let failures = 0;
  let attempts = 0;
  let integrityFailures = 0;
  let restarts = 0;
  let linkRefreshed = false;
  const cap = opts.connections === 'auto' ? AUTO_CONNECTIONS : (opts.connections ?? 1);
  let segmentsAllowed = req.size >= (opts.parallelThreshold ?? PARALLEL_THRESHOLD);
  let record: RangesRecord | null = null;

  const restart = async () => {
    await hasher.dispose();
    // The blobs folder itself may have been deleted under us.
    await fs.promises.mkdir(blobsDir, { recursive: true });
    partial = await replacePartial(blobsDir, req.etag, partial);
    record = null;
    done = new SpanSet();
    closed = false;
    written = 0;
    hasher = createDiskHasher(partial.fh.fd, req.etag, req.size, opts.hashOffThread);
    opts.onBytes?.(0, 0);
  };
  const host = () => new URL(location ?? req.url).host;

  try {
    const free = await freeBytes(blobsDir);
    if (free !== null && free < req.size - written) {
      throw await mapDisk(Object.assign(new Error('no space'), { code: 'ENOSPC' }), req.size - written);
    }
    for (;;) {
      if (opts.signal.aborted) throw cancelledError();
      try {
        if (written < req.size) {
          const progressBefore = written;
          const result = segmentsAllowed ? await fetchSegments() : await fetchStream();
          if (result === 'restart') {
            await restart();
            continue;
          }
          if (written > progressBefore) failures = 0;
        }
        if (written === req.size) {
          // The record goes first: a crash after it leaves a whole file that reads as a whole prefix.
          await (record as RangesRecord | null)?.remove();
          if (!(await stillOurs(partial))) throw new PartialGone();
          const onDisk = (await partial.fh.stat()).size;
          const digest = onDisk === req.size ? await hasher.digest().catch(() => null) : null;
          if (digest !== req.etag) {
            integrityFailures += 1;
            if (integrityFailures > 2) {
              await fs.promises.rm(partial.path, { force: true });
              throw new HubError(
                'INTEGRITY',
                `${file} arrived corrupted ${integrityFailures} times (its hash did not match); nothing was saved. Try again later.`,
                { ...req.ctx, host: host() },
              );
            }
            await restart();
            continue;
          }
          closed = true;
          await hasher.dispose();
          await partial.fh.close();
          // No fsync, as huggingface_hub does not either: it would cost a full flush of a multi-GB
          // file, and a blob damaged by a power cut is caught by `cache verify` (hash by name).
          await fs.promises.rename(partial.path, finalPath);
          return { path: finalPath, alreadyPresent: false, resumedFrom, bytesFetched };
        }
      } catch (error) {
        if (opts.signal.aborted) throw cancelledError();
        if (error instanceof HubError && (error.code === 'INTEGRITY' || error.code === 'DISK_FULL')) throw error;
        const disk = await diskError(error, blobsDir, req.size - written, file);
        if (disk) throw disk;
        if (error instanceof PartialGone || (error as NodeJS.ErrnoException).code === 'ENOENT') {
          // Restart the file cleanly rather than write into a file nobody can see.
          restarts += 1;
          if (restarts > 3)
            throw new HubError('INTEGRITY', `Another program keeps deleting the partial download of ${file}; stopped after ${restarts} restarts.`, {
              ...req.ctx,
            });
          await restart();
          continue;
        }
        const attempt = error instanceof Attempt ? error : null;
        const hubErr = attempt?.hubError ?? (error instanceof HubError ? error : null);
        if (!hubErr) throw error;
        if (attempt?.restartFromZero) await restart();
        // A signed link refused by the download host (expired, say) is resolved again, once.
        if (hubErr.details.host && (hubErr.code === 'FORBIDDEN' || hubErr.code === 'NOT_FOUND') && !linkRefreshed) {
          linkRefreshed = true;
          location = null;
          continue;
        }
        attempts += 1;
        if (!hubErr.transient) throw hubErr;
        failures += 1;
        if (failures > maxRetries) throw gaveUp(hubErr, attempts, file, hubErr.details.host ?? host(), hub);
        const retryAfter = hubErr.details.retryAfterSeconds;
        const delay = retryAfter !== undefined ? Math.min(60_000, retryAfter * 1000) : Math.min(8000, 250 * 2 ** (failures - 1));
        opts.onRetry?.({ reason: hubErr.message, attempt: failures, maxAttempts: maxRetries, delayMs: delay });
        await sleep(delay, opts.signal).catch(() => {
          throw cancelledError();
        });
      }
    }
  } finally {
    if (!closed) {
      await hasher.dispose();
      const empty = (await partial.fh.stat().catch(() => null))?.size === 0;
      await partial.fh.close().catch(() => undefined);
      // An empty partial is worth nothing to a resume: it goes (we still hold the lock).
      if (empty) await fs.promises.rm(partial.path, { force: true });
    }
  }

  /** Opens a range on the current location (resolving it first), mapping errors. */
  async function open(start: number, end?: number): Promise<OpenedBody> {
    const opened = await openBody(hub, location ?? req.url, { start, ...(end !== undefined ? { end } : {}) }, opts.signal);
    if (opened.status === 200 || opened.status === 206) {
      location = opened.finalUrl;
      return opened;
    }
    if (opened.status === 416) {
      opened.res.destroy();
      throw new Attempt(new HubError('NETWORK', 'The server refused the resume point.', { host: new URL(opened.finalUrl).host }), true);
    }
    throw await errorFrom(opened, hub, req.ctx);
  }

  /** Does a 206 answer start where we asked and describe the file we expect? */
  function rangeMatches(opened: OpenedBody, start: number): boolean {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(opened.headers.get('content-range') ?? '');
    return m !== null && Number(m[1]) === start && (m[3] === '*' || Number(m[3]) === req.size);
  }

  async function fetchStream(): Promise<'ok' | 'restart'> {
    const opened = await open(written);
    if (opened.status === 200 && written > 0) {
      // The server ignored Range: start over rather than append the file twice.
      opened.res.destroy();
      return 'restart';
    }
    if (opened.status === 206 && !rangeMatches(opened, written)) {
      opened.res.destroy();
      throw new Attempt(new HubError('NETWORK', 'The server answered a different range than asked.', { host: host() }), true);
    }
    const writer = new SequentialWriter(partial.fh, written, (end) => hasher.advance(end));
    const current = partial;
    let streamError: unknown = null;
    try {
      await new Promise<void>((resolve, reject) => {
        const res = opened.res;
        let timer: NodeJS.Timeout | null = null;
        let lastCheck = Date.now();
        const stallMs = opts.stallTimeoutMs ?? 10_000;
        const where = { host: host() };
        const arm = () => {
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => res.destroy(new Attempt(new HubError('NETWORK', `No data arrived for ${Math.round(stallMs / 1000)} s.`, where))), stallMs);
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
          if (piece.length === 0) return;
          written += piece.length;
          bytesFetched += piece.length;
          opts.onBytes?.(piece.length, written);
          if (!writer.push(piece)) {
            res.pause();
            writer.drained().then(
              () => res.resume(),
              (e: unknown) => res.destroy(e as Error),
            );
          }
          // A partial deleted under us is noticed within a second, not at the end of 50 GB.
          if (Date.now() - lastCheck > 1000) {
            lastCheck = Date.now();
            void stillOurs(current).then((ok) => {
              if (!ok) res.destroy(new PartialGone());
            });
          }
        });
        res.once('end', () => done(written < req.size ? new Attempt(new HubError('NETWORK', 'The connection ended early.', where)) : undefined));
        res.once('error', (e) =>
          done(
            e instanceof Attempt || e instanceof PartialGone || writer.error
              ? e
              : new Attempt(new HubError('NETWORK', `The connection broke (${(e as NodeJS.ErrnoException).code ?? e.message}).`, where)),
          ),
        );
        res.once('aborted', () => done(new Attempt(new HubError('NETWORK', 'The connection was reset.', where))));
      });
    } catch (error) {
      streamError = error;
    }
    // What was received is written (or the write error, which matters more, is thrown).
    try {
      await writer.flush();
    } finally {
      written = Math.min(written, (await partial.fh.stat().catch(() => null))?.size ?? written);
    }
    if (streamError) throw streamError;
    return 'ok';
  }

  /**
   * The adaptive multi-connection path (ranged-fetch.ts), from the done spans on; its bytes land
   * at their offsets, the record of done spans is kept beside the partial, the hasher follows the
   * done prefix. Signed links that expire are resolved again once for all connections.
   */
  async function fetchSegments(): Promise<'ok' | 'restart'> {
    const current = partial;
    // One connection writes a prefix, which needs no record (and reads as one to any tool); the
    // record is made before a second connection can write past it, or at once when holes exist.
    const spread = () => {
      if (record) return;
      record = new RangesRecord(current.path, req.size);
      record.saveSync(done.spans());
    };
    if (done.prefix() !== done.total()) spread();
    const local = new AbortController();
    const onAbort = () => local.abort(opts.signal.reason);
    opts.signal.addEventListener('abort', onAbort, { once: true });
    let gone = false;
    let rangeIgnored = false;
    let savedAt = 0;
    let savedBytes = done.total();
    // A crash loses at most this much recorded progress: 0.25% of the file, 64 KiB to 2 MiB.
    const saveEvery = Math.min(2 << 20, Math.max(64 << 10, Math.floor(req.size / 400)));
    const watch = setInterval(() => {
      void stillOurs(current).then((ok) => {
        if (!ok) {
          gone = true;
          local.abort();
        }
      });
    }, 1000);
    const startTotal = done.total();
    let got = 0;
    let linkGen = 0;
    let refreshing: Promise<void> | null = null;
    const resolveLink = async (signal: AbortSignal) => {
      const opened = await openBody(hub, req.url, { start: 0, end: 0 }, signal);
      if (opened.status !== 200 && opened.status !== 206) throw await errorFrom(opened, hub, req.ctx);
      opened.res.destroy();
      location = opened.finalUrl;
      linkGen++;
    };
    const openRange = async (start: number, end: number | null, signal: AbortSignal): Promise<OpenedBody> => {
      for (let tries = 0; ; tries++) {
        const gen = linkGen;
        const opened = await openBody(hub, location ?? req.url, { start, ...(end !== null ? { end } : {}) }, signal);
        if (opened.status === 206 && rangeMatches(opened, start)) {
          location = opened.finalUrl;
          return opened;
        }
        if (opened.status === 200) {
          opened.res.destroy();
          rangeIgnored = true;
          throw new Error('range ignored');
        }
        if (opened.status === 206) {
          opened.res.destroy();
          throw new RangedAttemptError(new HubError('NETWORK', 'The server answered a different range than asked.', { host: host() }));
        }
        const error = await errorFrom(opened, hub, req.ctx);
        const onCdn = error.details.host !== undefined && !hub.isHubHost(error.details.host);
        // An expired signed link: one resolve for all connections (those that failed on the old link wait for it).
        if (onCdn && (error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND') && tries < 2) {
          if (gen === linkGen) refreshing ??= resolveLink(signal).finally(() => (refreshing = null));
          await refreshing;
          continue;
        }
        throw error;
      }
    };
    try {
      await fetchRanges({
        size: req.size,
        fh: partial.fh,
        done,
        signal: local.signal,
        open: openRange,
        controller: new ConnectionController({ cap }),
        budget: opts.budget ?? defaultBudget,
        blockBytes: opts.segmentBytes ?? blockBytesFor(req.size),
        stallMs: opts.connectionStallMs ?? 3000,
        aloneStallMs: opts.stallTimeoutMs ?? 10_000,
        onReceived: (delta) => {
          got += delta;
          bytesFetched += delta;
          opts.onBytes?.(delta, Math.min(req.size, startTotal + got));
        },
        onWritten: () => {
          hasher.advance(done.prefix());
          const total = done.total();
          const t = Date.now();
          const rec = record as RangesRecord | null;
          // At most 100 saves a second (each ~0.2 ms of this thread; one per chunk would be hundreds):
          // a crash loses at most 10 ms of bytes or saveEvery, well under 1 % of a large file.
          if (rec && ((total - savedBytes >= saveEvery && t - savedAt >= 10) || t - savedAt > 200 || total === req.size)) {
            savedBytes = total;
            savedAt = t;
            // Synchronous: a few hundred bytes renamed into place take microseconds, while an async
            // save waits behind every connection's writes in libuv's pool (measured: ~40 ms of
            // progress lost at a kill -9 instead of ~0).
            try {
              rec.saveSync(done.spans());
            } catch {
              // a failed save loses only progress since the last one; the writes themselves report disk errors
            }
          }
        },
        onSpread: spread,
        ...(opts.onConnections ? { onConnections: opts.onConnections } : {}),
      });
    } catch (error) {
      if (opts.signal.aborted) throw cancelledError();
      if (gone) throw new PartialGone();
      if (rangeIgnored) {
        segmentsAllowed = false;
        return 'restart';
      }
      if (error instanceof RangedAttemptError) throw new Attempt(error.hubError);
      throw error;
    } finally {
      clearInterval(watch);
      opts.signal.removeEventListener('abort', onAbort);
      await (record as RangesRecord | null)?.save(done.spans()).catch(() => undefined);
      written = done.prefix();
      opts.onConnections?.(0);
    }
    written = done.prefix();
    return 'ok';
  }
}
