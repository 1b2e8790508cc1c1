/**
 * A Xet transfer into one temp file (docs/hub-protocol.md §3.4): the plan is asked for in windows,
 * each window's xorb ranges are fetched in parallel (a range that serves several terms, as a file
 * that repeats itself does, travels once), chunks are decoded as they stream and written at their
 * file offsets, and the file is verified before anyone may publish it: its sha256 read back from
 * disk by the same hasher as the classic path, and its Xet file hash from the chunks written.
 * Expired URLs re-plan the window, 429/5xx/network failures back off, and a cut connection resumes
 * at the chunk it stopped at. Publishing (lock, rename, cache) is the caller's: this only fills and
 * checks the file it is given.
 *
 * Why not @huggingface/hub's XetBlob: it streams a Blob (no positional writes into our partial, no
 * verification, no per-chunk resume), and it sends neither our user agent nor our bounds.
 */
import type { FileHandle } from 'node:fs/promises';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { CasClient } from '../xet/cas-client';
import type { ChunkDecoder } from '../xet/decode-pool';
import { XetDataError } from '../xet/errors';
import { multipartBody } from '../xet/multipart';
import type { XetPlan, XetRange } from '../xet/reconstruction';
import { XetTokenSource } from '../xet/token';
import { abortableSleep, cancelledError } from './failures';
import { createDiskHasher, workerHashingUseful, type DiskHasher } from './hasher';
import { AnswerChunks, decoderFor } from './xet-answer-chunks';
import { SpanSet } from './range-state';
import type { XorbSlots } from './xet-slots';
import { openXorbRanges } from './xet-split-range';
import { runRanges } from './xet-runners';
import { createChunkHasher, tiledFileHash, type ChunkHasher } from './xet-chunk-hasher';
import { ChunkWrites, writeRun, type ChunkPlace, type PendingChunk } from './xet-chunk-writes';
import { fillFromLocal } from './xet-local-chunks';
import { fillFromWritten, WrittenChunks } from './xet-written-chunks';
import { placedTerms, type PlacedTerm } from '../xet/chunk-index';
import { advance, byUrl, checkAnswered, jobsOf, resetJob, unfinished, urlFor, type Job } from './xet-jobs';

export { jobsOf };

import type { XetTransferOptions, XetTransferRequest, XetTransferResult } from './xet-transfer-types';

export type { XetHashCheck, XetTransferOptions, XetTransferRequest, XetTransferResult } from './xet-transfer-types';

export const XET_WINDOW_BYTES = 256 << 20;
export function transferXet(hub: HubHttp, fh: FileHandle, req: XetTransferRequest, opts: XetTransferOptions): Promise<XetTransferResult> {
  return new XetTransfer(hub, fh, req, opts).run();
}

type Window = { start: number; end: number };

/** One file's transfer: its plan windows, the bytes done, the chunk hashes, the disk hasher. */
class XetTransfer {
  readonly #fh: FileHandle;
  readonly #req: XetTransferRequest;
  readonly #opts: XetTransferOptions;
  readonly #file: string;
  readonly #cas: CasClient;
  readonly #done = new SpanSet();
  /** Chunk lengths by file offset (for the Xet file hash: chunks not hashed as they came are read back). */
  readonly #chunks = new Map<number, number>();
  readonly #hasher: DiskHasher;
  /** Chunk hashes for the Xet file hash, off the main thread for large files. */
  readonly #chunkHasher: ChunkHasher;
  /** Decodes compressed chunks off this thread; null: here. */
  readonly #decoder: ChunkDecoder | null;
  readonly #result: XetTransferResult = {
    bytesFetched: 0,
    ranges: 0,
    sharedRanges: 0,
    resumedBytes: 0,
    xetHash: 'unchecked',
    reusedBytes: 0,
    repeatedBytes: 0,
  };
  /** The file's terms where they land: recorded once it is verified, for the next delta. */
  readonly #terms: PlacedTerm[] = [];
  /** The chunks earlier windows wrote, for a later window that repeats them. */
  readonly #written = new WrittenChunks();
  #failures = 0;
  /** Whether a range found the link caps a connection: later ranges, in this window and the next, start split. */
  #capped = false;

  constructor(hub: HubHttp, fh: FileHandle, req: XetTransferRequest, opts: XetTransferOptions) {
    this.#fh = fh;
    this.#req = req;
    this.#opts = opts;
    this.#file = req.ctx.path ?? req.sha256;
    this.#cas = new CasClient(new XetTokenSource(hub, req.refreshUrl), req.ctx, opts.fetch);
    this.#hasher = createDiskHasher(fh.fd, req.sha256, req.size, opts.hashOffThread);
    this.#chunkHasher = createChunkHasher(fh.fd, req.size, opts.hashOffThread);
    this.#decoder = opts.decoder !== undefined ? opts.decoder : decoderFor(req.size, opts.hashOffThread ?? workerHashingUseful());
  }

  async run(): Promise<XetTransferResult> {
    const req = this.#req;
    const windowBytes = this.#opts.windowBytes ?? XET_WINDOW_BYTES;
    // The next window's plan is asked for while this one's ranges run, so a window boundary costs
    // no plan round trip (a CAS answer ~100 ms away); stopped with the transfer.
    const ahead = new AbortController();
    const stopAhead = () => ahead.abort();
    this.#opts.signal.addEventListener('abort', stopAhead, { once: true });
    try {
      await this.#opts.local?.prepare(this.#cas, this.#opts.signal);
      const windows: Window[] = [];
      for (let start = 0; start < req.size; start += windowBytes) windows.push({ start, end: Math.min(req.size, start + windowBytes) });
      let planned: Promise<XetPlan> | null = windows[0] ? this.#plan(windows[0]) : null;
      for (const [i, window] of windows.entries()) {
        const plan = planned as Promise<XetPlan>;
        const next = windows[i + 1];
        planned = next ? plan.then(() => this.#plan(next, ahead.signal)) : null;
        // Awaited in its turn; a failure while this window runs must not go unhandled meanwhile.
        planned?.catch(() => undefined);
        await this.#window(window, await plan);
      }
      // A stop that came as the last bytes landed is honoured: the journal keeps them all for a resume.
      if (this.#opts.signal.aborted) throw cancelledError();
      if (this.#done.total() !== req.size) throw new XetDataError('plan', `the reconstruction plans covered ${this.#done.total()} of ${req.size} bytes`);
      const digest = await this.#hasher.digest().catch(() => null);
      const xetHash = await tiledFileHash(this.#chunkHasher, this.#chunks, req.size);
      const xetOk = xetHash === req.xetHash;
      this.#result.xetHash = xetHash === null ? 'unchecked' : xetOk ? 'matched' : 'differs';
      // The sha256 is the file's name and the Hub's word for its bytes: it alone decides. The Xet hash
      // says whether the plan's chunks were the file's (a mismatch with a right sha256 is reported, not fatal).
      if (digest !== req.sha256) {
        const which = [digest !== req.sha256 ? 'its sha256' : null, xetOk ? null : 'its Xet hash'].filter(Boolean).join(' and ');
        throw new HubError('INTEGRITY', `${this.#file} arrived corrupted from the Xet storage: ${which} did not match; nothing was saved.`, { ...req.ctx });
      }
      this.#opts.local?.learned(this.#terms);
      return this.#result;
    } catch (error) {
      // Every range has stopped (runRanges waits for them): what they wrote since the last save is kept.
      this.#opts.journal?.flush(() => this.#done.spans());
      // Failed its check with bytes from disk in it: the caller's retry fetches everything (#26.3).
      if (this.#opts.local?.used && (error instanceof XetDataError || (error instanceof HubError && error.code === 'INTEGRITY'))) this.#opts.local.distrust();
      // A read-token answer that is not one says nothing about the file: the classic road may still work.
      if (error instanceof XetDataError && error.problem === 'token')
        throw new HubError('SERVER_ERROR', `The Hub's Xet read token for ${this.#file} was unusable (${error.message}).`, { permanent: true });
      if (error instanceof XetDataError)
        throw new HubError('INTEGRITY', `${this.#file} arrived damaged from the Xet storage (${error.message}); nothing was saved.`, { ...req.ctx });
      throw error;
    } finally {
      ahead.abort();
      this.#opts.signal.removeEventListener('abort', stopAhead);
      await this.#hasher.dispose();
      await this.#chunkHasher.dispose();
    }
  }

  /** Waits before trying again, or rethrows what asking again will not fix. */
  async #retry(error: unknown, what: string, signal = this.#opts.signal): Promise<void> {
    if (signal.aborted) throw error;
    const e = error instanceof HubError ? error : null;
    if (!e?.transient) throw error;
    this.#failures += 1;
    if (this.#failures > (this.#opts.maxRetries ?? 8))
      throw new HubError(e.code, `${what}: ${e.message} (gave up after ${this.#failures} attempts)`, { ...e.details, attempts: this.#failures });
    const ra = e.details.retryAfterSeconds;
    await (this.#opts.sleep ?? abortableSleep)(ra !== undefined ? Math.min(60_000, ra * 1000) : Math.min(8000, 250 * 2 ** (this.#failures - 1)), signal);
  }

  async #plan(window: Window, signal = this.#opts.signal): Promise<XetPlan> {
    for (;;) {
      try {
        return await this.#cas.plan(this.#req.xetHash, window, this.#req.size, signal);
      } catch (error) {
        await this.#retry(error, `Planning ${this.#file}`, signal);
      }
    }
  }

  /** Takes back what the journal of an earlier run says this range already wrote. */
  #restore(job: Job, window: Window): void {
    const p = this.#opts.resume?.get(job.key);
    if (!p || p.n > job.range.chunks.end - job.range.chunks.start) return;
    const before = this.#done.total();
    for (const length of p.l) for (const w of this.#place(job, length, window)) this.#done.add(w.from, w.to);
    job.consumed = p.k;
    this.#result.resumedBytes += this.#done.total() - before;
    const prefix = this.#done.prefix();
    this.#opts.onBytes?.(0, prefix);
    this.#hasher.advance(prefix);
    this.#opts.journal?.progress(job.key, job.lengths.length, job.consumed, job.lengths, () => this.#done.spans(), this.#done.total());
  }

  /** Moves the job past one chunk of `length` bytes (its terms' cursors, the chunk map); returns where its bytes go. */
  #place(job: Job, length: number, window: Window): ChunkPlace[] {
    const writes: ChunkPlace[] = [];
    for (const p of job.placements) {
      if (job.chunk < p.term.chunks.start || job.chunk >= p.term.chunks.end) continue;
      const at = advance(p, job.chunk, length);
      if (at + length > this.#req.size) throw new XetDataError('plan', 'the reconstruction plan places bytes past the end of the file');
      this.#chunks.set(at, length);
      const from = Math.max(at, window.start);
      const to = Math.min(at + length, window.end);
      if (to > from) writes.push({ at, from, to });
    }
    job.chunk += 1;
    job.lengths.push(length);
    return writes;
  }

  async #window(window: Window, plan: XetPlan): Promise<void> {
    const jobs = jobsOf(plan, window.start);
    for (const j of jobs) this.#restore(j, window);
    this.#terms.push(...placedTerms(plan, window.start));
    // Ranges this file or another local one already holds are copied while the others are fetched.
    const took = (from: number, to: number) => {
      this.#done.add(from, to);
      this.#opts.onBytes?.(0, this.#done.prefix());
      this.#hasher.advance(this.#done.prefix());
    };
    // Everything of the window ends with it: a range that fails stops the copies and the other ranges
    // (fetching, retrying, writing), and nothing returns while any of them still runs.
    const stop = new AbortController();
    const windowSignal = AbortSignal.any([this.#opts.signal, stop.signal]);
    let fromFile = Promise.resolve(0);
    let copied = Promise.resolve();
    this.#result.ranges += jobs.length;
    this.#result.sharedRanges += jobs.filter((j) => j.placements.length > 1).length;
    let replan: Promise<XetPlan> | null = null;
    const max = this.#opts.connections ?? 8;
    try {
      fromFile = fillFromWritten(this.#written, jobs, window, this.#fh, windowSignal, {
        written: (from, to) => this.#done.gapAt(from, to) === null,
        chunk: (at, length) => void this.#chunks.set(at, length),
        copied: took,
      });
      const fromDisk = await fillFromLocal(this.#opts.local, jobs, window, this.#fh, windowSignal, took);
      copied = fromDisk.copied.then((n) => void (this.#result.reusedBytes += n));
      await runRanges({
        queue: byUrl(jobs),
        max,
        first: this.#opts.firstConnections ?? max,
        ...(this.#opts.budget ? { budget: this.#opts.budget } : {}),
        capped: () => this.#capped,
        onCapped: () => (this.#capped = true),
        onUncapped: () => (this.#capped = false),
        onConnections: (n) => this.#opts.onConnections?.(n),
        onFailed: () => stop.abort(),
        run: async (group, slots) => {
          for (let left = unfinished(group); left.length; left = unfinished(left)) {
            // One URL per request: a fresh plan may sign the group's ranges apart (each URL is signed
            // for its own ranges), and a range sent to another's URL would be refused.
            const first = left[0] as Job;
            const part = left.filter((j) => j.url === first.url);
            try {
              await this.#fetch(part, window, slots, windowSignal);
            } catch (error) {
              if (error instanceof XetDataError) {
                // Bytes that do not decode are refetched once from the range's start, then the file fails.
                for (const j of part) if (++j.corruptions > 1) throw error;
                const fresh = new Map(jobsOf(plan, window.start).map((f) => [f.key, f]));
                for (const j of part) resetJob(j, fresh);
              } else if (error instanceof HubError && error.code === 'FORBIDDEN' && error.details.host) {
                // An expired presigned URL: a fresh plan signs the same xorb bytes again. Counted per
                // range until its next chunk arrives (URLs signed together expire together): a
                // storage that refuses every fresh URL must not be re-planned for ever.
                for (const j of part)
                  if (++j.refusals > (this.#opts.maxRetries ?? 8))
                    throw new HubError('FORBIDDEN', `${this.#file}: the Xet storage refused ${j.refusals} fresh URLs in a row.`, { ...error.details });
                replan ??= this.#plan(window).finally(() => (replan = null));
                const fresh = await replan;
                for (const j of left) j.url = urlFor(fresh, j);
              } else await this.#retry(error, `Downloading ${this.#file} from the Xet storage`, windowSignal);
            }
          }
        },
      });
    } catch (error) {
      stop.abort();
      throw error;
    } finally {
      await Promise.allSettled([copied, fromFile]);
    }
    await copied;
    this.#result.repeatedBytes += (await fromFile) + this.#written.learn(jobs, window);
  }

  /** Writes a run of decoded chunks where `#place` put them (xet-chunk-writes.ts), then counts them done. */
  async #write(run: PendingChunk[]): Promise<void> {
    const wrote = await writeRun(this.#fh, run);
    // Counted after the write returns: other ranges' writes land while this one waits.
    const before = this.#done.total();
    for (const { chunk, spans, whole } of wrote) {
      for (const [from, to] of spans) this.#done.add(from, to);
      // Chunks wholly on disk are hashed now; clipped ones at the end.
      if (whole.length) this.#chunkHasher.add(whole, chunk.length, chunk.parts, chunk.hash);
    }
    const gained = this.#done.total() - before;
    if (gained > 0) this.#opts.onBytes?.(gained, this.#done.prefix());
    this.#hasher.advance(this.#done.prefix());
  }

  /** Streams the jobs' remaining chunks: one range, or several of one URL as a multi-range GET. */
  async #fetch(group: Job[], window: Window, slots: XorbSlots, signal: AbortSignal): Promise<void> {
    const asked = group.map((j) => ({ start: j.range.bytes.start + j.consumed, end: j.range.bytes.end }));
    const opened = await openXorbRanges(group[0]?.url ?? '', asked, { signal, slots });
    const multi = group.length > 1 ? multipartBody(opened) : null;
    let timer: NodeJS.Timeout | undefined;
    const stallMs = this.#opts.stallTimeoutMs ?? 10_000;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => opened.res.destroy(new HubError('NETWORK', `No data arrived for ${Math.round(stallMs / 1000)} s.`, { host: opened.host })),
        stallMs,
      );
    };
    // Chunks are written behind the decoder, in order, so the socket is read while the disk writes
    // (a write awaited per ~64 KiB chunk had serialised the two); a few MiB at most wait
    // (xet-answer-chunks.ts). A chunk counts as consumed (for a retry and the journal) only once
    // its write returned.
    const writes = new ChunkWrites((run) => this.#write(run), signal);
    const chunks = new AnswerChunks(group.length, this.#decoder, writes, (i, c) => {
      const job = group[i] as Job;
      if (job.chunk >= job.range.chunks.end) throw new XetDataError('chunk-size', 'a xorb range held more chunks than the plan says');
      const places = this.#place(job, c.length, window);
      const n = job.lengths.length;
      // Last: AnswerChunks gives back the bytes of a chunk this callback throws for, so nothing
      // after the push may throw (the writes own the chunk from here).
      writes.push({
        parts: c.parts,
        length: c.length,
        places,
        hash: 'hash' in c ? c.hash : null,
        release: c.release,
        written: () => {
          job.consumed += c.bytes;
          this.#opts.journal?.progress(job.key, n, job.consumed, job.lengths, () => this.#done.spans(), this.#done.total());
          this.#failures = 0;
          job.refusals = 0;
        },
      });
    });
    try {
      arm();
      for await (const buf of opened.res as AsyncIterable<Buffer>) {
        arm();
        this.#result.bytesFetched += buf.length;
        if (!multi) await chunks.feed(0, buf);
        else
          for (const piece of multi.push(buf)) {
            const i = asked.findIndex((a) => a.start === piece.range.start && a.end === piece.range.end);
            if (i < 0) throw new XetDataError('multipart', 'a multi-range answer sent a range that was not asked for');
            await chunks.feed(i, piece.data);
          }
      }
      multi?.end();
      await chunks.drained();
      group.forEach((j, i) => checkAnswered(j, asked[i] as XetRange['bytes'], chunks.fed[i] as number, chunks.framer(i)));
      // An answer that stops early is a cut connection: resumed at the chunk it stopped at.
      if (group.some((j) => j.chunk !== j.range.chunks.end)) throw new HubError('NETWORK', 'The Xet storage ended a range early.', { host: opened.host });
    } catch (caught) {
      // What was decoded is written (and counted) before a retry resumes; a write error comes first.
      const error =
        (await chunks.drained().then(
          () => null,
          (e: unknown) => e,
        )) ?? caught;
      // A failed write (a full disk) is the file's answer, not a network fault to retry: the chunks
      // placed behind it were never written, so a retry would resume at the wrong chunk.
      if (error instanceof XetDataError || signal.aborted || writes.failed) throw error;
      throw error instanceof HubError ? error : new HubError('NETWORK', 'The connection to the Xet storage was cut.', { host: opened.host });
    } finally {
      clearTimeout(timer);
      chunks.dispose();
    }
  }
}
