/**
 * One large xorb byte range fetched over several connections and handed on in order (#25 Figures):
 * a 64 MiB xorb is one range of the plan, and over a link capped per connection (a far CDN) one
 * connection is the whole speed. Chunk boundaries inside the range are only known by reading the
 * chunk headers in order, so the range is not split by chunks: it is cut into byte blocks fetched
 * in parallel, and the blocks are passed to the one decoder in order (the block at the front
 * streams as it arrives; blocks ahead wait in memory, at most `aheadBlocks` of them). Extra
 * connections are taken only when the first 100 ms of bytes show the link caps a connection
 * (under 25 MB/s, as the classic road judges; on loopback more would only cost CPU), while the
 * transfer has nothing else queued and stays under its connection count, so a file of many xorbs
 * keeps one connection per range as before.
 *
 * Any connection's failure ends the stream with that error: the transfer's retry resumes the range
 * at the chunk its decoder stopped at (xet-transfer.ts), and what was fetched ahead is dropped
 * (at most `aheadBlocks` blocks).
 */
import { setMaxListeners } from 'node:events';
import { HubError } from '../hub/errors';
import { openXorb, type OpenedXorb } from '../xet/cas-client';
import { dropRead, holdRead } from '../xet/read-slabs';
import type { XetRange } from '../xet/reconstruction';
import { cameUncapped, FirstBytes, judgedBody } from './xet-link-judge';
import type { XorbSlots } from './xet-slots';

export interface SplitOptions {
  signal: AbortSignal;
  slots: XorbSlots;
  /** Bytes per block (default 4 MiB). */
  blockBytes?: number;
  /** Bytes per block once the link shows it caps a connection (default 1 MiB). */
  cappedBlockBytes?: number;
  /** Blocks past the front that may be fetched (and held) at once on a capped link (default 8). */
  aheadBlocks?: number;
  /** Bytes a second under which one connection's first 100 ms mean a capped link (default 25 MB/s). */
  capRate?: number;
}

/** What #fetch reads: a body, how to end it early, and where it comes from. */
export interface XorbBody {
  res: AsyncIterable<Buffer> & { destroy(error?: Error): void };
  contentType: string;
  host: string;
}

export const SPLIT_BLOCK_BYTES = 4 << 20;
/**
 * On a capped link blocks past the front are held in memory until the front's slow stream ends:
 * with 4 MiB blocks the transfer's 32 MiB budget kept 8 of them (12 connections where 16 were
 * allowed; 1 GiB at half the classic road's speed). 1 MiB, aria2c's piece and the classic road's
 * block for middle files, fits 32 in the same budget; one request per MiB is what both pay.
 */
export const CAPPED_BLOCK_BYTES = 1 << 20;

/** Takes a slot, runs, gives it back (and says so). */
async function withSlot<T>(slots: XorbSlots, run: () => Promise<T>): Promise<T> {
  take(slots, 1);
  try {
    return await run();
  } finally {
    take(slots, -1);
  }
}

/** Counts a request opened (1) or ended (-1); not in `onChange?.(++inUse)`, which skips the count without a listener. */
function take(slots: XorbSlots, n: 1 | -1): void {
  slots.inUse += n;
  slots.onChange?.(slots.inUse);
}

/**
 * Opens the jobs' ranges: one large range as parallel blocks, anything else (several ranges, a
 * small one) as one request, as before. Either way the request is counted in `slots`.
 */
export async function openXorbRanges(url: string, asked: XetRange['bytes'][], opts: SplitOptions): Promise<XorbBody> {
  const block = opts.blockBytes ?? SPLIT_BLOCK_BYTES;
  // On a link known to cap connections, a range of two capped blocks is worth splitting already.
  const least = 2 * (opts.slots.capped ? Math.min(block, opts.cappedBlockBytes ?? CAPPED_BLOCK_BYTES) : block);
  const only = asked[0];
  const request = (opts.slots.opened = (opts.slots.opened ?? 0) + 1);
  if (asked.length === 1 && only && only.end - only.start + 1 >= least) return new SplitRange(url, only, opts, block, request).body();
  take(opts.slots, 1);
  const askedAt = performance.now();
  let opened: OpenedXorb;
  try {
    opened = await openXorb(url, asked, opts.signal);
  } catch (error) {
    take(opts.slots, -1);
    throw error;
  }
  let released = false;
  const release = () => {
    if (!released) take(opts.slots, -1);
    released = true;
  };
  void opened.closed.then(release);
  return { ...opened, res: judgedBody(opened.res, askedAt, opts, request) };
}

/**
 * A split range's body: its blocks in order, then `stop`. A generator function at module level, so
 * every body's objects share one map (see judgedBody).
 */
async function* readThenStop(blocks: () => AsyncGenerator<Buffer>, stop: () => void): AsyncGenerator<Buffer> {
  try {
    yield* blocks();
  } finally {
    stop();
  }
}

interface Block {
  start: number;
  /** Inclusive, as HTTP ranges. */
  end: number;
  state: 'pending' | 'fetching' | 'done';
  parts: Buffer[];
  /** Room taken in the transfer's budget for a block fetched ahead of the reader. */
  held: boolean;
}

/** [start, end] (inclusive) cut into pending blocks of `size` bytes, the last the rest. */
function pendingBlocks(start: number, end: number, size: number): Block[] {
  const out: Block[] = [];
  for (let at = start; at <= end; at += size) out.push({ start: at, end: Math.min(end, at + size - 1), state: 'pending', parts: [], held: false });
  return out;
}

class SplitRange {
  readonly #url: string;
  readonly #opts: SplitOptions;
  readonly #blocks: Block[] = [];
  readonly #local = new AbortController();
  readonly #host: string;
  readonly #block: number;
  readonly #cappedBlock: number;
  /** Bytes past the front that may be fetched at once on a capped link. */
  readonly #aheadBytes: number;
  #front = 0;
  #fetchers = 0;
  #error: Error | null = null;
  #wake: (() => void) | null = null;
  /** Whether the link caps a connection (judged on the first 100 ms of bytes, as the classic road does): only then do more join. */
  #capped: boolean | null = null;
  /** The first block's first bytes, until they judge the link (or, when the range started split, say whether more ranges should open). */
  #first: FirstBytes | null = null;
  #voting = true;
  /** Which request of the transfer this range is (xet-slots.ts `opened`). */
  readonly #request: number;
  /** Connections waiting for the front to move. */
  #moved: (() => void)[] = [];
  /** Turned away by the transfer's budget and waiting for room. */
  #awaitingRoom = false;

  constructor(url: string, range: XetRange['bytes'], opts: SplitOptions, block: number, request: number) {
    this.#url = url;
    this.#request = request;
    this.#opts = opts;
    this.#host = new URL(url).host;
    this.#block = block;
    this.#cappedBlock = Math.min(block, opts.cappedBlockBytes ?? CAPPED_BLOCK_BYTES);
    this.#aheadBytes = (opts.aheadBlocks ?? 8) * block;
    // A link another range found capped needs no new judgement: this range starts split.
    if (opts.slots.capped) this.#capped = true;
    this.#blocks.push(...pendingBlocks(range.start, range.end, this.#capped ? this.#cappedBlock : block));
    // Every block in flight listens on the range's signal: up to the transfer's connection count.
    setMaxListeners(64, this.#local.signal);
    const onAbort = () => this.#fail(new HubError('CANCELLED', 'The download was stopped.'));
    opts.signal.addEventListener('abort', onAbort, { once: true });
    this.#local.signal.addEventListener('abort', () => opts.signal.removeEventListener('abort', onAbort), { once: true });
  }

  body(): XorbBody {
    // The first connection is the range's own; more join as slots free up.
    void this.#fetcher(false);
    const inOrder = () => this.#inOrder();
    // A reader that stops early (a chunk that does not decode, a failed write) stops the fetchers
    // too: one waiting for the front to move would wait for ever, its slot taken.
    const stop = () => {
      this.#fail(new HubError('CANCELLED', 'The xorb range is no longer read.'));
      for (const b of this.#blocks) {
        this.#unhold(b);
        for (const part of b.parts.splice(0)) dropRead(part);
      }
    };
    const destroy = (error?: Error) => this.#fail(error ?? new HubError('NETWORK', 'The xorb range was stopped.', { host: this.#host }));
    return { res: Object.assign(readThenStop(inOrder, stop), { destroy }), contentType: '', host: this.#host };
  }

  async *#inOrder(): AsyncGenerator<Buffer> {
    while (this.#front < this.#blocks.length) {
      const b = this.#blocks[this.#front] as Block;
      const part = b.parts.shift();
      if (part) {
        try {
          yield part;
        } finally {
          dropRead(part);
        }
        continue;
      }
      if (this.#error) throw this.#error;
      if (b.state === 'done') {
        this.#unhold(b);
        this.#front += 1;
        for (const r of this.#moved.splice(0)) r();
        this.#spawn();
        continue;
      }
      await new Promise<void>((r) => (this.#wake = r));
    }
    if (this.#error) throw this.#error;
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  #fail(error: Error): void {
    this.#error ??= error;
    this.#local.abort();
    this.#notify();
    for (const r of this.#moved.splice(0)) r();
  }

  /**
   * The next block a connection may take: pending, and not too far past the front. Alone (a link
   * that caps nothing) the range's connection runs one block ahead of the decoder: on loopback
   * the network outpaces decoding and writing, and eight blocks held per range were most of a
   * 1 GiB download's 390 MB peak.
   */
  #next(): Block | null {
    const b = this.#candidate();
    // The front streams to the reader; a block past it waits in memory, within the transfer's budget.
    if (b && b !== this.#blocks[this.#front] && !b.held && this.#opts.slots.hold) {
      if (!this.#opts.slots.hold(b.end - b.start + 1)) {
        // Other ranges hold the budget: try again when they give some back.
        if (!this.#awaitingRoom) {
          this.#awaitingRoom = true;
          this.#opts.slots.onRoom?.(() => {
            this.#awaitingRoom = false;
            this.#spawn();
          });
        }
        return null;
      }
      b.held = true;
    }
    return b;
  }

  /** The first pending block not too far past the front (nothing taken). */
  #candidate(): Block | null {
    const front = this.#blocks[this.#front];
    if (!front) return null;
    // Alone, one block ahead; capped, as many bytes ahead as `aheadBlocks` of the first size.
    const limit = this.#capped ? front.start + this.#aheadBytes : (this.#blocks[this.#front + 1]?.end ?? front.end);
    for (let i = this.#front; i < this.#blocks.length; i++) {
      const b = this.#blocks[i] as Block;
      if (b.start > limit) break;
      if (b.state === 'pending') return b;
    }
    return null;
  }

  /** Cuts the blocks no connection has taken yet to the capped size (the front and those in flight stay). */
  #recut(): void {
    const size = this.#cappedBlock;
    const out: Block[] = [];
    for (const [i, b] of this.#blocks.entries()) {
      if (i <= this.#front || b.state !== 'pending' || b.end - b.start + 1 <= size) out.push(b);
      else out.push(...pendingBlocks(b.start, b.end, size));
    }
    this.#blocks.splice(0, this.#blocks.length, ...out);
  }

  /** Joins runs of blocks no connection has taken back into blocks of the first size. */
  #rejoin(): void {
    const out: Block[] = [];
    for (const [i, b] of this.#blocks.entries()) {
      const last = out.at(-1);
      const joinable = i > this.#front && b.state === 'pending' && last && last.state === 'pending' && out.length - 1 > this.#front;
      if (joinable && last.end + 1 === b.start && b.end - last.start + 1 <= this.#block) last.end = b.end;
      else out.push(b);
    }
    this.#blocks.splice(0, this.#blocks.length, ...out);
  }

  /**
   * A whole block at twice the cap mark cannot have come over a capped connection: the first 100 ms
   * were a loaded machine's (its event loop busy elsewhere), not the link's. Back to one connection
   * a block ahead, in blocks of the first size; the transfer's later ranges judge afresh.
   */
  #uncap(): void {
    this.#capped = false;
    this.#rejoin();
    this.#opts.slots.onUncapped?.();
  }

  #unhold(b: Block): void {
    if (!b.held) return;
    b.held = false;
    this.#opts.slots.release?.(b.end - b.start + 1);
  }

  /** Adds connections while the transfer has spare slots and no other range waits for one. */
  #spawn(): void {
    const s = this.#opts.slots;
    while (this.#capped && !this.#error && s.inUse < s.max && s.waiting() === 0 && this.#candidate() && this.#fetchers < s.max && s.extra())
      void this.#fetcher(true);
  }

  /** The range's own connection takes blocks until none is left; an extra one leaves when none is free now. */
  async #fetcher(extra: boolean): Promise<void> {
    this.#fetchers += 1;
    try {
      await withSlot(this.#opts.slots, async () => {
        while (!this.#error) {
          const b = this.#next();
          if (!b) {
            if (extra || !this.#blocks.some((x) => x.state === 'pending')) return;
            // Too far ahead of the decoder: wait for the front to move.
            await new Promise<void>((r) => this.#moved.push(r));
            continue;
          }
          b.state = 'fetching';
          this.#spawn();
          await this.#fetchBlock(b);
        }
      });
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.#fetchers -= 1;
      if (extra) this.#opts.slots.extraDone();
      this.#notify();
    }
  }

  /** One connection's first 100 ms (xet-link-judge.ts): under the cap mark, the range splits and more connections join. */
  #judge(bytes: number, askedAt: number): void {
    this.#first ??= new FirstBytes(askedAt, this.#opts.capRate);
    const capped = this.#first.push(bytes);
    if (capped === null) return;
    this.#capped = capped;
    this.#voting = false;
    if (this.#capped) {
      this.#recut();
      this.#opts.slots.onCapped?.(this.#request);
    }
    this.#spawn();
  }

  /** A range that started split (the link known capped) still says, once, whether its first 100 ms agree: the transfer opens more ranges only on such verdicts. */
  #vote(bytes: number, askedAt: number): void {
    if (this.#opts.slots.provenFast) return void (this.#voting = false);
    this.#first ??= new FirstBytes(askedAt, this.#opts.capRate);
    const capped = this.#first.push(bytes);
    if (capped === null) return;
    this.#voting = false;
    if (capped) this.#opts.slots.onCapped?.(this.#request);
  }

  async #fetchBlock(b: Block): Promise<void> {
    // Timed from the request, as FirstBytes says why.
    const askedAt = performance.now();
    const opened = await openXorb(this.#url, [{ start: b.start, end: b.end }], this.#local.signal);
    let got = 0;
    try {
      for await (const buf of opened.res as AsyncIterable<Buffer>) {
        got += buf.length;
        if (got > b.end - b.start + 1) throw new HubError('NETWORK', 'The Xet storage sent more than the range asked for.', { host: this.#host });
        // Stopped: nothing drains the blocks any more (stop() gave back what they held).
        if (this.#error) throw this.#error;
        // Kept past the body's next read: held until the reader has it (#inOrder).
        holdRead(buf);
        b.parts.push(buf);
        if (b === this.#blocks[this.#front]) this.#notify();
        if (this.#capped === null) this.#judge(buf.length, askedAt);
        else if (this.#voting) this.#vote(buf.length, askedAt);
      }
    } catch (error) {
      if (this.#error) throw this.#error;
      throw error instanceof HubError ? error : new HubError('NETWORK', 'The connection to the Xet storage was cut.', { host: this.#host });
    }
    if (got !== b.end - b.start + 1) throw new HubError('NETWORK', 'The Xet storage ended a range early.', { host: this.#host });
    const ms = performance.now() - askedAt;
    if (this.#capped && cameUncapped(got, ms, this.#opts.capRate)) this.#uncap();
    b.state = 'done';
    this.#notify();
  }
}
