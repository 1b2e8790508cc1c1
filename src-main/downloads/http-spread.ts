/**
 * One attempt of a classic transfer over several range connections (ranged-fetch.ts), from the done
 * spans on: bytes land at their offsets, the record of done spans is kept beside the partial (so a
 * crash resumes with holes known), the hasher follows the done prefix. A signed link that expires
 * is resolved again once for all connections; a server that ignores Range sends the file back to
 * one stream.
 */
import { HubError } from '../hub/errors';
import { ConnectionBudget, ConnectionController, DEFAULT_CONNECTION_BUDGET } from './connection-controller';
import { cancelledError } from './failures';
import { Attempt, hostOf, PartialGone, rangeMatches, type HttpAttempt } from './http-attempt';
import { errorFrom, openBody, type OpenedBody } from './http-stream';
import { stillOurs } from './partial-file';
import { fetchRanges, RangedAttemptError } from './ranged-fetch';
import { RangesRecord } from './range-state';

/** Auto's cap: past 16 connections a CDN edge gives no more and starts refusing (429). */
export const AUTO_CONNECTIONS = 16;
/** Files at least this large may use several connections (a snapshot's 12 MiB shards do; a 5 MiB tokenizer does not). */
export const PARALLEL_THRESHOLD = 8 << 20;

/**
 * A range connection's block: 1/16 of the file, 1 to 16 MiB, so a middle-sized file still has
 * a block for each of the connections it deserves (a 16 MiB file sixteen of 1 MiB, as `aria2c -k1M`
 * cuts it). At 20 MB/s per connection a 16 MiB block takes ~0.8 s, so an 80 ms first-byte wait
 * costs ~9% of one connection (one more makes it up), while the hash lag at the end (≤ connections
 * × block, read back at ~1 GB/s) stays ~0.25 s.
 */
export function blockBytesFor(size: number): number {
  return Math.min(16 << 20, Math.max(1 << 20, Math.ceil(size / 16)));
}

/**
 * Files up to this size open the connections they deserve with their first request: on a capped
 * link the sizing run (first bytes, then 100 ms) was a third of a 16 MiB file's transfer, and on a
 * fast one a dozen 1 MiB requests cost a few milliseconds.
 */
export const OPEN_AT_ONCE_BELOW = 32 << 20;

/**
 * How long a file's first connection runs alone before the connections it deserves are judged.
 * From 256 MiB, 200 ms instead of 100: a loopback read on a busy machine sometimes shows under
 * 25 MB/s in its first 100 ms (a stall at the start), and then 16 connections opened where one
 * was faster (512 MiB on loopback: 2.9-3.6 s and ~220 MB against 2.3-2.9 s and ~160 MB), while
 * 100 ms more at one connection is under 2 % of so large a file's time on a capped link.
 */
export function sizingMsFor(size: number): number {
  return size >= 256 << 20 ? 200 : 100;
}

/**
 * Connections a file's size deserves from the start. A small file (up to OPEN_AT_ONCE_BELOW) gets
 * one per MiB, a block each as `aria2c -k1M` cuts a file, up to the cap (Auto: 16), opened with its
 * first request; a larger one jumps to one per 2 MiB, at most 8 (`aria2c -x8`), after the sizing
 * run, and doubles from there while the link keeps scaling. Jumping straight to 16 measured slower
 * on a server that could not serve 16 at once (96 MiB: 4.5 s against 2.7 s): judged sublinear
 * against one connection, it settled at 9, where 8 doubled to 16 and settled at 12.
 */
export function connectionsFor(size: number, cap: number): number {
  if (size <= OPEN_AT_ONCE_BELOW) return Math.max(1, Math.min(cap, Math.ceil(size / (1 << 20))));
  return Math.max(1, Math.min(cap, 8, Math.ceil(size / (2 << 20))));
}

const defaultBudget = new ConnectionBudget(DEFAULT_CONNECTION_BUDGET);

/** Range GETs on the file's (signed) location; an expired link is resolved again once for every connection. */
function signedRanges(a: HttpAttempt, onIgnored: () => void) {
  let linkGen = 0;
  let refreshing: Promise<void> | null = null;
  const resolveLink = async (signal: AbortSignal) => {
    const opened = await openBody(a.hub, a.file.url, { start: 0, end: 0 }, signal);
    if (opened.status !== 200 && opened.status !== 206) throw await errorFrom(opened, a.hub, a.file.ctx);
    opened.res.destroy();
    a.location = opened.finalUrl;
    linkGen++;
  };
  // Connections opened together before any knows the signed link wait for the first one's
  // redirect rather than each asking the Hub to resolve the file.
  let locating: Promise<OpenedBody> | null = null;
  return async (start: number, end: number | null, signal: AbortSignal): Promise<OpenedBody> => {
    for (let tries = 0; ; tries++) {
      const gen = linkGen;
      if (a.location === null && locating) await locating.catch(() => undefined);
      const pending = openBody(a.hub, a.location ?? a.file.url, { start, ...(end !== null ? { end } : {}) }, signal);
      if (a.location === null) locating ??= pending;
      const opened = await pending;
      if (opened.status === 206 && rangeMatches(opened, start, a.file.size)) {
        a.location = opened.finalUrl;
        return opened;
      }
      if (opened.status === 200) {
        opened.res.destroy();
        onIgnored();
        throw new Error('range ignored');
      }
      if (opened.status === 206) {
        opened.res.destroy();
        throw new RangedAttemptError(new HubError('NETWORK', 'The server answered a different range than asked.', { host: hostOf(a) }));
      }
      const error = await errorFrom(opened, a.hub, a.file.ctx);
      const onCdn = error.details.host !== undefined && !a.hub.isHubHost(error.details.host);
      // An expired signed link: one resolve for all connections (those that failed on the old link wait for it).
      if (onCdn && (error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND') && tries < 2) {
        if (gen === linkGen) refreshing ??= resolveLink(signal).finally(() => (refreshing = null));
        await refreshing;
        continue;
      }
      throw error;
    }
  };
}

/**
 * Bytes of progress between two saves of the record: what a crash may lose. 0.25 % of a file
 * (64 KiB to 2 MiB) keeps a resume under 1 % from ~100 MiB up, where it matters; below 64 MiB it is
 * 1 MiB, a fraction of a second to fetch again. Each save costs the event loop ~1 ms on a loaded
 * machine (a temp file written and renamed in place): a 20-file snapshot of 12 MiB shards saved
 * 334 times in 2.9 s at 64 KiB per save, a tenth of the download's main thread.
 */
export function recordSaveEvery(size: number): number {
  if (size < 64 << 20) return 1 << 20;
  return Math.min(2 << 20, Math.max(64 << 10, Math.floor(size / 400)));
}

/** Saves the record of done spans often enough that a crash loses little (recordSaveEvery), rarely enough to cost little. */
function recordSaver(a: HttpAttempt): () => void {
  let savedAt = 0;
  let savedBytes = a.done.total();
  const saveEvery = recordSaveEvery(a.file.size);
  return () => {
    const total = a.done.total();
    const t = Date.now();
    const rec = a.record;
    // At most 100 saves a second (one per chunk would be hundreds): a crash loses at most 10 ms
    // of bytes or saveEvery, well under 1 % of a large file.
    if (rec && ((total - savedBytes >= saveEvery && t - savedAt >= 10) || t - savedAt > 200 || total === a.file.size)) {
      savedBytes = total;
      savedAt = t;
      // Synchronous: a few hundred bytes renamed into place take microseconds, while an async
      // save waits behind every connection's writes in libuv's pool (measured: ~40 ms of
      // progress lost at a kill -9 instead of ~0).
      try {
        rec.saveSync(a.done.spans());
      } catch {
        // a failed save loses only progress since the last one; the writes themselves report disk errors
      }
    }
  };
}

/** 'no-ranges': the server ignored Range, the file goes back to one stream from zero. */
export async function fetchSpread(a: HttpAttempt): Promise<'ok' | 'no-ranges'> {
  const opts = a.opts;
  const current = a.partial;
  // One connection writes a prefix, which needs no record (and reads as one to any tool); the
  // record is made before a second connection can write past it, or at once when holes exist.
  const spread = () => {
    if (a.record) return;
    a.record = new RangesRecord(current.path, a.file.size);
    a.record.saveSync(a.done.spans());
  };
  if (a.done.prefix() !== a.done.total()) spread();
  const local = new AbortController();
  const onAbort = () => local.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onAbort, { once: true });
  let gone = false;
  let rangeIgnored = false;
  const watch = setInterval(() => {
    void stillOurs(current).then((ok) => {
      if (!ok) {
        gone = true;
        local.abort();
      }
    });
  }, 1000);
  const startTotal = a.done.total();
  let got = 0;
  const save = recordSaver(a);
  const cap = opts.connections === 'auto' ? AUTO_CONNECTIONS : (opts.connections ?? 1);
  try {
    await fetchRanges({
      size: a.file.size,
      fh: a.partial.fh,
      done: a.done,
      signal: local.signal,
      open: signedRanges(a, () => (rangeIgnored = true)),
      controller: new ConnectionController({
        cap,
        atOnce: connectionsFor(a.file.size, cap),
        openAtOnce: a.file.size <= OPEN_AT_ONCE_BELOW,
        sizingMs: sizingMsFor(a.file.size),
        ...(opts.fastPerConnection !== undefined ? { fastPerConnection: opts.fastPerConnection } : {}),
      }),
      budget: opts.budget ?? defaultBudget,
      blockBytes: opts.segmentBytes ?? blockBytesFor(a.file.size),
      stallMs: opts.connectionStallMs ?? 3000,
      aloneStallMs: opts.stallTimeoutMs ?? 10_000,
      onReceived: (delta) => {
        got += delta;
        a.bytesFetched += delta;
        opts.onBytes?.(delta, Math.min(a.file.size, startTotal + got));
      },
      onWritten: () => {
        a.hasher.advance(a.done.prefix());
        save();
      },
      onSpread: spread,
      ...(opts.onConnections ? { onConnections: opts.onConnections } : {}),
    });
  } catch (error) {
    if (opts.signal.aborted) throw cancelledError();
    if (gone) throw new PartialGone();
    if (rangeIgnored) return 'no-ranges';
    if (error instanceof RangedAttemptError) throw new Attempt(error.hubError);
    throw error;
  } finally {
    clearInterval(watch);
    opts.signal.removeEventListener('abort', onAbort);
    await a.record?.save(a.done.spans()).catch(() => undefined);
    a.written = a.done.prefix();
    opts.onConnections?.(0);
  }
  a.written = a.done.prefix();
  return 'ok';
}
