/**
 * One large file over several range connections, as many as the link rewards (ConnectionController),
 * written at their offsets into the one partial file.
 *
 * Work is handed out in blocks, lowest first, so the done prefix grows steadily: sha256 has to see
 * the bytes in order (hashing ranges apart and combining them is impossible for it), and the hasher
 * reads the completed prefix back from disk while the download goes on. Handing out the file in
 * big halves instead (as aria2 splits) would leave most of it to hash after the last byte. A
 * connection alone asks for the rest of the file and keeps reading across blocks (no request per
 * block, so no latency per block); beside others it asks for one block at a time (its socket is
 * reused). Blocks are big enough that a request's first-byte wait is a small part of its time.
 *
 * A connection that goes silent while others progress is cut and its bytes handed to a fresh one;
 * a connection's error never fails the file while others progress (only when all fail does the
 * attempt end, for the caller's retry with backoff); 429/503 halves the connections. At the end,
 * idle connections take the second half of the largest span still being fetched.
 */
import type fs from 'node:fs';
import { HubError } from '../hub/errors';
import type { ConnectionBudget, ConnectionController } from './connection-controller';
import type { OpenedBody } from './http-stream';
import { SequentialWriter } from './partial-file';
import { SpanSet } from './range-state';

export interface RangedFetchOptions {
  size: number;
  fh: fs.promises.FileHandle;
  /** Done spans: read at the start, grown as writes complete. */
  done: SpanSet;
  signal: AbortSignal;
  /** A 206 body for [start, end] (end inclusive; null: to the end of the file), already checked; or throws. */
  open(start: number, end: number | null, signal: AbortSignal): Promise<OpenedBody>;
  controller: ConnectionController;
  budget: ConnectionBudget;
  blockBytes: number;
  /** A connection silent this long while others progress is replaced. */
  stallMs: number;
  /** Silent this long with nobody progressing: the attempt fails (the caller retries). */
  aloneStallMs: number;
  onReceived(delta: number): void;
  /** `done` grew. */
  onWritten(): void;
  onConnections?(n: number): void;
  /** Called (synchronously) before a second connection starts: bytes may land past the done prefix from then on. */
  onSpread?(): void;
  now?: () => number;
}

/** The transient failure of an attempt, for the caller's retry (Attempt in blob-fetch). */
export class RangedAttemptError extends Error {
  constructor(readonly hubError: HubError) {
    super(hubError.message);
  }
}

/** A connection cut on purpose (it went silent): its span goes to a fresh request, nothing failed. */
class Cut extends Error {
  constructor() {
    super('stalled');
  }
}

interface Conn {
  /** Where its current request's bytes start (bytes before `pos` may still be in its writer). */
  claimStart: number;
  pos: number;
  end: number;
  lastByteAt: number;
  res: OpenedBody['res'] | null;
  extra: boolean;
}

const MIN_STEAL = 1 << 20;

export function fetchRanges(o: RangedFetchOptions): Promise<void> {
  const now = o.now ?? (() => performance.now());
  const conns = new Set<Conn>();
  let received = 0;
  let lastProgressAt = now();
  let fatal: unknown = null;
  let failuresInRow = 0;
  let retryAt = 0;
  const local = new AbortController();
  const onAbort = () => local.abort(o.signal.reason);
  o.signal.addEventListener('abort', onAbort, { once: true });

  /** Done bytes and every connection's claim (but `except`'s own, which it is giving up). */
  const occupied = (except?: Conn): SpanSet => {
    const s = new SpanSet(o.done.spans());
    for (const c of conns) if (c !== except) s.add(c.claimStart, c.end);
    return s;
  };

  /** The next free block, or the second half of the biggest span in flight; null when none is worth taking. */
  const claim = (conn: Conn, stealing: boolean): boolean => {
    const gap = occupied(conn).gapAt(0, o.size);
    if (gap) {
      conn.claimStart = conn.pos = gap[0];
      conn.end = Math.min(gap[1], gap[0] + o.blockBytes);
      return true;
    }
    if (!stealing) return false;
    let biggest: Conn | null = null;
    for (const c of conns) if (c !== conn && (!biggest || c.end - c.pos > biggest.end - biggest.pos)) biggest = c;
    if (!biggest || biggest.end - biggest.pos < 2 * MIN_STEAL) return false;
    const mid = biggest.pos + Math.floor((biggest.end - biggest.pos) / 2);
    conn.claimStart = conn.pos = mid;
    conn.end = biggest.end;
    biggest.end = mid;
    return true;
  };

  const complete = () => o.done.total() >= o.size;

  const fail = (error: unknown) => {
    fatal ??= error;
    local.abort();
  };

  /** Reads one request's body into the file from conn.pos, across blocks while alone; returns when its span is done or it is cut. */
  const fetchSpan = async (conn: Conn): Promise<void> => {
    const alone = conns.size === 1;
    const opened = await o.open(conn.pos, alone ? null : conn.end - 1, local.signal);
    conn.res = opened.res;
    conn.lastByteAt = now();
    const start = conn.pos;
    const writer = new SequentialWriter(o.fh, start, (end) => {
      o.done.add(start, end);
      o.onWritten();
    });
    let cut: unknown = null;
    try {
      reading: for await (const chunk of opened.res) {
        let buf = chunk as Buffer;
        conn.lastByteAt = now();
        // A chunk may run past the span's end: the part within is written, then the span is
        // extended into the next free block (alone) or the rest is dropped and the read ends.
        while (buf.length) {
          const take = Math.min(buf.length, conn.end - conn.pos);
          if (take > 0) {
            const piece = buf.subarray(0, take);
            buf = buf.subarray(take);
            conn.pos += take;
            received += take;
            lastProgressAt = conn.lastByteAt;
            failuresInRow = 0;
            o.onReceived(take);
            if (!writer.push(piece)) await writer.drained();
          }
          if (conn.pos < conn.end) continue;
          const next = occupied(conn).gapAt(conn.end, o.size);
          if (alone && conns.size === 1 && next && next[0] === conn.end) {
            conn.end = Math.min(next[1], conn.end + o.blockBytes);
            continue;
          }
          break reading;
        }
      }
    } catch (error) {
      cut = error;
    } finally {
      opened.res.destroy();
      conn.res = null;
      // What arrived is written (a write error matters more than the reason the read stopped).
      await writer.flush();
    }
    if (cut instanceof Cut || (cut && conn.pos >= conn.end)) return;
    if (cut) {
      if (writer.error || local.signal.aborted) throw cut;
      // The body broke off (reset, closed early): a network failure of this connection only.
      const code = (cut as NodeJS.ErrnoException).code ?? (cut as Error).message;
      throw new RangedAttemptError(new HubError('NETWORK', `The connection broke (${code}).`, { host: new URL(opened.finalUrl).host }));
    }
    if (conn.pos < conn.end) throw new RangedAttemptError(new HubError('NETWORK', 'A range ended early.', { host: new URL(opened.finalUrl).host }));
  };

  /** A connection's life: its first span is claimed by start(); then the next, until none is left. */
  const run = async (conn: Conn): Promise<void> => {
    try {
      let first = true;
      for (;;) {
        if (fatal || local.signal.aborted || complete()) return;
        if (!first && !claim(conn, true)) return;
        first = false;
        try {
          await fetchSpan(conn);
        } catch (error) {
          if (fatal || local.signal.aborted) return;
          const hub = error instanceof RangedAttemptError ? error.hubError : error instanceof HubError ? error : null;
          if (!hub) return fail(error);
          if (hub.code === 'RATE_LIMITED' || (hub.code === 'SERVER_ERROR' && hub.details.status === 503)) {
            o.controller.throttled(now(), received);
            if (conns.size === 1) return fail(error);
            return; // this one goes; the rest carry on with fewer
          }
          if (!hub.transient) return fail(error);
          failuresInRow++;
          if (conns.size === 1 || failuresInRow > 8) return fail(error);
          // Others still progress: this connection goes, a fresh one starts after a short pause.
          retryAt = now() + Math.min(2000, 100 * 2 ** failuresInRow);
          return;
        }
        // Shrinking: a connection over the target ends at its span's end.
        if (conns.size > o.controller.target) return;
      }
    } finally {
      conns.delete(conn);
      if (conn.extra) o.budget.release();
      o.onConnections?.(conns.size);
    }
  };

  return new Promise<void>((resolve, reject) => {
    const running = new Set<Promise<void>>();
    const start = (extra: boolean): boolean => {
      if (extra) o.onSpread?.();
      const conn: Conn = { claimStart: 0, pos: 0, end: 0, lastByteAt: now(), res: null, extra };
      conns.add(conn);
      if (!claim(conn, conns.size > 1)) {
        conns.delete(conn);
        return false;
      }
      const p = run(conn).finally(() => {
        running.delete(p);
        pump();
      });
      running.add(p);
      o.onConnections?.(conns.size);
      return true;
    };
    const finish = () => {
      clearInterval(timer);
      o.signal.removeEventListener('abort', onAbort);
      if (fatal) reject(fatal instanceof Error ? fatal : new Error(String(fatal)));
      else if (o.signal.aborted) reject(o.signal.reason instanceof Error ? o.signal.reason : new Error('aborted'));
      else resolve();
    };
    function pump(): void {
      if (fatal || local.signal.aborted || complete()) {
        if (running.size === 0) finish();
        else local.abort();
        return;
      }
      if (now() < retryAt && conns.size > 0) return;
      const target = o.controller.target;
      while (conns.size < target) {
        const extra = conns.size > 0;
        if (extra && !o.budget.tryAcquire()) break;
        if (!start(extra)) {
          if (extra) o.budget.release();
          break;
        }
      }
      if (running.size === 0) {
        // Nothing to fetch and nothing running, yet not complete: should not happen; fail loudly.
        fail(new Error('the download has no work left but is not complete'));
        finish();
      }
    }
    const timer = setInterval(() => {
      const t = now();
      o.controller.tick(t, received, conns.size);
      for (const c of conns) {
        if (!c.res) continue;
        const silent = t - c.lastByteAt;
        // Cut a silent connection; its span goes to a fresh request at once (a stalled flow to a
        // far CDN rarely recovers by itself). With one connection by choice the classic whole-attempt
        // timeout below applies instead (HF_HUB_DOWNLOAD_TIMEOUT's meaning).
        if ((conns.size > 1 || o.controller.cap > 1) && silent > o.stallMs) c.res.destroy(new Cut());
      }
      if (t - lastProgressAt > o.aloneStallMs && conns.size > 0) {
        fail(new RangedAttemptError(new HubError('NETWORK', `No data arrived for ${Math.round(o.aloneStallMs / 1000)} s.`)));
        for (const c of conns) c.res?.destroy(new Cut());
      }
      pump();
    }, 100);
    timer.unref?.();
    o.controller.tick(now(), 0, 0);
    pump();
  });
}
