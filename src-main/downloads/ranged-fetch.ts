/**
 * One large file over several range connections, as many as the link rewards (ConnectionController),
 * written at their offsets into the one partial file.
 *
 * Work is handed out in blocks, lowest first, so the done prefix grows steadily: sha256 has to see
 * the bytes in order (hashing ranges apart and combining them is impossible for it), and the hasher
 * reads the completed prefix back from disk while the download goes on. Handing out the file in
 * big halves instead (as aria2 splits) would leave most of it to hash after the last byte. A
 * connection alone asks for the rest of the file and keeps reading across blocks (no request per
 * block, so no latency per block); beside others it asks for one block at a time, and a body read
 * to its end hands its kept-alive socket to the next request. Blocks are big enough that a
 * request's first-byte wait is a small part of its time.
 *
 * A connection that goes silent while others progress is cut and its bytes handed to a fresh one;
 * a connection's error never fails the file while others progress (only when all fail does the
 * attempt end, for the caller's retry with backoff); 429/503 halves the connections. At the end,
 * idle connections take the second half of the largest span still being fetched.
 *
 * Each connection has its own AbortController, aborted by the attempt's one listener: sixteen
 * requests listening on one signal would pass Node's listener limit (MaxListenersExceededWarning).
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
  /** Its own signal, aborted with the attempt's (one listener on the attempt for all connections). */
  abort: AbortController;
}

const MIN_STEAL = 1 << 20;

export function fetchRanges(o: RangedFetchOptions): Promise<void> {
  return new RangedFetch(o).run();
}

class RangedFetch {
  readonly #o: RangedFetchOptions;
  readonly #now: () => number;
  readonly #conns = new Set<Conn>();
  readonly #running = new Set<Promise<void>>();
  /** Aborted when the caller's signal is, or when the attempt ends (fatal, cancelled or complete). */
  readonly #local = new AbortController();
  #received = 0;
  #lastProgressAt: number;
  #fatal: unknown = null;
  #failuresInRow = 0;
  #retryAt = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #settle: { resolve(): void; reject(e: Error): void } | null = null;

  constructor(o: RangedFetchOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => performance.now());
    this.#lastProgressAt = this.#now();
  }

  readonly #onAbort = () => this.#local.abort(this.#o.signal.reason);

  run(): Promise<void> {
    const o = this.#o;
    o.signal.addEventListener('abort', this.#onAbort, { once: true });
    if (o.signal.aborted) this.#onAbort();
    // Every connection's own controller follows the attempt's, through this one listener.
    this.#local.signal.addEventListener('abort', () => {
      for (const c of this.#conns) c.abort.abort(this.#local.signal.reason);
    });
    return new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
      this.#timer = setInterval(() => this.#tick(), 100);
      this.#timer.unref?.();
      o.controller.tick(this.#now(), 0, 0);
      this.#pump();
    });
  }

  /** Done bytes and every connection's claim (but `except`'s own, which it is giving up). */
  #occupied(except?: Conn): SpanSet {
    const s = new SpanSet(this.#o.done.spans());
    for (const c of this.#conns) if (c !== except) s.add(c.claimStart, c.end);
    return s;
  }

  /** The next free block, or the second half of the biggest span in flight; false when none is worth taking. */
  #claim(conn: Conn, stealing: boolean): boolean {
    const o = this.#o;
    const gap = this.#occupied(conn).gapAt(0, o.size);
    if (gap) {
      conn.claimStart = conn.pos = gap[0];
      conn.end = Math.min(gap[1], gap[0] + o.blockBytes);
      return true;
    }
    if (!stealing) return false;
    let biggest: Conn | null = null;
    for (const c of this.#conns) if (c !== conn && (!biggest || c.end - c.pos > biggest.end - biggest.pos)) biggest = c;
    if (!biggest || biggest.end - biggest.pos < 2 * MIN_STEAL) return false;
    const mid = biggest.pos + Math.floor((biggest.end - biggest.pos) / 2);
    conn.claimStart = conn.pos = mid;
    conn.end = biggest.end;
    biggest.end = mid;
    return true;
  }

  #complete(): boolean {
    return this.#o.done.total() >= this.#o.size;
  }

  #fail(error: unknown): void {
    this.#fatal ??= error;
    this.#local.abort();
  }

  /** Reads one request's body into the file from conn.pos, across blocks while alone; returns when its span is done or it is cut. */
  async #fetchSpan(conn: Conn): Promise<void> {
    const o = this.#o;
    // Alone by choice, not only for now: a connection that others will join at once asks for its block only.
    const alone = this.#conns.size === 1 && o.controller.target <= 1;
    // Alone, it asks for the whole free gap it starts in, never past it: an open-ended range over a
    // resumed file's done spans had the server fill the socket with bytes already here (on a fast
    // link, megabytes per gap) before the read broke off at the next done span.
    const gapEnd = alone ? (this.#occupied(conn).gapAt(conn.pos, o.size)?.[1] ?? o.size) : conn.end;
    const opened = await o.open(conn.pos, gapEnd >= o.size ? (alone ? null : conn.end - 1) : gapEnd - 1, conn.abort.signal);
    conn.res = opened.res;
    conn.lastByteAt = this.#now();
    const start = conn.pos;
    const writer = new SequentialWriter(o.fh, start, (end) => {
      o.done.add(start, end);
      o.onWritten();
    });
    let cut: unknown = null;
    try {
      await this.#readBody(conn, opened.res, writer, alone);
    } catch (error) {
      cut = error;
    } finally {
      // A body read to its end is not destroyed by this (its socket goes back to the agent); one
      // left mid-way is, with its socket.
      opened.res.destroy();
      conn.res = null;
      // What arrived is written (a write error matters more than the reason the read stopped).
      await writer.flush();
    }
    if (cut instanceof Cut || (cut && conn.pos >= conn.end)) return;
    if (cut) {
      if (writer.error || this.#local.signal.aborted) throw cut;
      // The body broke off (reset, closed early): a network failure of this connection only.
      const code = (cut as NodeJS.ErrnoException).code ?? (cut as Error).message;
      throw new RangedAttemptError(new HubError('NETWORK', `The connection broke (${code}).`, { host: new URL(opened.finalUrl).host }));
    }
    if (conn.pos < conn.end) throw new RangedAttemptError(new HubError('NETWORK', 'A range ended early.', { host: new URL(opened.finalUrl).host }));
  }

  /**
   * The body's bytes into the writer. A chunk may run past the span's end: the part within is
   * written, then the span is extended into the next free block (alone) or the read ends. A body
   * whose span is done and that the server has finished is read to its end, not broken off, so
   * its socket is kept alive for the connection's next block.
   */
  async #readBody(conn: Conn, res: OpenedBody['res'], writer: SequentialWriter, alone: boolean): Promise<void> {
    const o = this.#o;
    let spanDone = false;
    for await (const chunk of res) {
      let buf = chunk as Buffer;
      // Bytes past a finished span (a server that sent more than asked): dropped, the read ends.
      if (spanDone) return;
      conn.lastByteAt = this.#now();
      while (buf.length) {
        const take = Math.min(buf.length, conn.end - conn.pos);
        if (take > 0) {
          const piece = buf.subarray(0, take);
          buf = buf.subarray(take);
          conn.pos += take;
          this.#received += take;
          this.#lastProgressAt = conn.lastByteAt;
          this.#failuresInRow = 0;
          o.onReceived(take);
          if (!writer.push(piece)) await writer.drained();
        }
        if (conn.pos < conn.end) continue;
        const next = this.#occupied(conn).gapAt(conn.end, o.size);
        if (alone && this.#conns.size === 1 && next && next[0] === conn.end) {
          conn.end = Math.min(next[1], conn.end + o.blockBytes);
          continue;
        }
        if (buf.length || !res.complete) return;
        spanDone = true;
      }
    }
  }

  /** What a failed span means: the attempt fails, or this connection goes and the others carry on. */
  #afterSpanError(error: unknown): void {
    const o = this.#o;
    const hub = error instanceof RangedAttemptError ? error.hubError : error instanceof HubError ? error : null;
    if (!hub) return this.#fail(error);
    if (hub.code === 'RATE_LIMITED' || (hub.code === 'SERVER_ERROR' && hub.details.status === 503)) {
      o.controller.throttled(this.#now(), this.#received);
      if (this.#conns.size === 1) this.#fail(error);
      return; // this one goes; the rest carry on with fewer
    }
    if (!hub.transient) return this.#fail(error);
    this.#failuresInRow++;
    if (this.#conns.size === 1 || this.#failuresInRow > 8) return this.#fail(error);
    // Others still progress: this connection goes, a fresh one starts after a short pause.
    this.#retryAt = this.#now() + Math.min(2000, 100 * 2 ** this.#failuresInRow);
  }

  /** A connection's life: its first span is claimed by #start(); then the next, until none is left. */
  async #connection(conn: Conn): Promise<void> {
    try {
      for (let first = true; ; first = false) {
        if (this.#fatal || this.#local.signal.aborted || this.#complete()) return;
        if (!first && !this.#claim(conn, true)) return;
        try {
          await this.#fetchSpan(conn);
        } catch (error) {
          if (!this.#fatal && !this.#local.signal.aborted) this.#afterSpanError(error);
          return;
        }
        // Shrinking: a connection over the target ends at its span's end.
        if (this.#conns.size > this.#o.controller.target) return;
      }
    } finally {
      this.#conns.delete(conn);
      if (conn.extra) this.#o.budget.release();
      this.#o.onConnections?.(this.#conns.size);
    }
  }

  #start(extra: boolean): boolean {
    if (extra) this.#o.onSpread?.();
    const conn: Conn = { claimStart: 0, pos: 0, end: 0, lastByteAt: this.#now(), res: null, extra, abort: new AbortController() };
    this.#conns.add(conn);
    if (!this.#claim(conn, this.#conns.size > 1)) {
      this.#conns.delete(conn);
      return false;
    }
    const p = this.#connection(conn).finally(() => {
      this.#running.delete(p);
      this.#pump();
    });
    this.#running.add(p);
    this.#o.onConnections?.(this.#conns.size);
    return true;
  }

  #finish(): void {
    const o = this.#o;
    if (this.#timer) clearInterval(this.#timer);
    o.signal.removeEventListener('abort', this.#onAbort);
    if (this.#fatal) this.#settle?.reject(this.#fatal instanceof Error ? this.#fatal : new Error(String(this.#fatal)));
    else if (o.signal.aborted) this.#settle?.reject(o.signal.reason instanceof Error ? o.signal.reason : new Error('aborted'));
    else this.#settle?.resolve();
    this.#settle = null;
  }

  /** Starts connections up to the target, or ends the attempt when nothing is left to do. */
  #pump(): void {
    const o = this.#o;
    if (this.#fatal || this.#local.signal.aborted || this.#complete()) {
      if (this.#running.size === 0) this.#finish();
      else this.#local.abort();
      return;
    }
    if (this.#now() < this.#retryAt && this.#conns.size > 0) return;
    const target = o.controller.target;
    while (this.#conns.size < target) {
      const extra = this.#conns.size > 0;
      if (extra && !o.budget.tryAcquire()) break;
      if (!this.#start(extra)) {
        if (extra) o.budget.release();
        break;
      }
    }
    if (this.#running.size === 0) {
      // Nothing to fetch and nothing running, yet not complete: should not happen; fail loudly.
      this.#fail(new Error('the download has no work left but is not complete'));
      this.#finish();
    }
  }

  /** Every 100 ms: the controller's judgement, silent connections cut, a stall of all of them failed. */
  #tick(): void {
    const o = this.#o;
    const t = this.#now();
    o.controller.tick(t, this.#received, this.#conns.size);
    for (const c of this.#conns) {
      if (!c.res) continue;
      // Cut a silent connection; its span goes to a fresh request at once (a stalled flow to a
      // far CDN rarely recovers by itself). With one connection by choice the classic whole-attempt
      // timeout below applies instead (HF_HUB_DOWNLOAD_TIMEOUT's meaning).
      if ((this.#conns.size > 1 || o.controller.cap > 1) && t - c.lastByteAt > o.stallMs) c.res.destroy(new Cut());
    }
    if (t - this.#lastProgressAt > o.aloneStallMs && this.#conns.size > 0) {
      this.#fail(new RangedAttemptError(new HubError('NETWORK', `No data arrived for ${Math.round(o.aloneStallMs / 1000)} s.`)));
      for (const c of this.#conns) c.res?.destroy(new Cut());
    }
    this.#pump();
  }
}
