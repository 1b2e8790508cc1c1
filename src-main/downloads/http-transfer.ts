/**
 * The classic road for one file: its whole-file URL (resolve, then usually a signed CDN link) read
 * into a partial, by one stream or several range connections (http-single.ts, http-spread.ts), then
 * verified: its size, that the path still names it, and its hash read back from disk (sha256 for
 * LFS files, git's blob sha1 for regular ones). Transient failures are retried from the bytes on
 * disk with the download retry policy; a corrupt answer is fetched again from zero twice, then the
 * file fails with nothing left. On success the partial is closed at its path, verified, for the
 * caller to rename; on any other end it stays for a resume (an empty one goes).
 */
import fs from 'node:fs';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { RETRY_POLICIES, retryDelayMs } from '../hub/retry';
import { abortableSleep, cancelledError, diskError, freeBytes, gaveUp } from './failures';
import { createDiskHasher } from './hasher';
import { Attempt, hostOf, PartialGone, type HttpAttempt, type HttpFile, type HttpTransferOptions } from './http-attempt';
import { fetchSingle } from './http-single';
import { fetchSpread, PARALLEL_THRESHOLD } from './http-spread';
import { stillOurs, type PartialSource } from './partial-file';
import { SpanSet } from './range-state';

export interface VerifiedPartial {
  /** The verified file, closed (the partial's path at the end: a restart may have renamed it). */
  path: string;
  resumedFrom: number;
  bytesFetched: number;
}

export function transferHttp(hub: HubHttp, file: HttpFile, source: PartialSource, opts: HttpTransferOptions): Promise<VerifiedPartial> {
  return new HttpTransfer(hub, file, source, opts).run();
}

class HttpTransfer {
  readonly #source: PartialSource;
  readonly #name: string;
  #a!: HttpAttempt;
  #closed = false;
  #failures = 0;
  #attempts = 0;
  #integrityFailures = 0;
  #restarts = 0;
  #linkRefreshed = false;
  /** The plan's link (the HEAD's redirect), until its first refusal. */
  #handedLink: string | null;
  #segmentsAllowed: boolean;

  constructor(
    readonly hub: HubHttp,
    readonly file: HttpFile,
    source: PartialSource,
    readonly opts: HttpTransferOptions,
  ) {
    this.#source = source;
    this.#name = file.ctx.path ?? file.etag;
    this.#segmentsAllowed = file.size >= (opts.parallelThreshold ?? PARALLEL_THRESHOLD);
    this.#handedLink = file.location ?? null;
  }

  async #mapDisk(error: unknown, needed: number): Promise<unknown> {
    return (await diskError(error, this.#source.dir, needed, this.#name)) ?? error;
  }

  async run(): Promise<VerifiedPartial> {
    const partial = await this.#source.claim().catch(async (e: unknown) => {
      throw await this.#mapDisk(e, this.file.size);
    });
    // A partial written by several connections may have holes: only its record says what is there.
    const done = new SpanSet(partial.done);
    const hasher = createDiskHasher(partial.fh.fd, this.file.etag, this.file.size, this.opts.hashOffThread);
    this.#a = {
      hub: this.hub,
      file: this.file,
      opts: this.opts,
      partial,
      done,
      written: done.prefix(),
      record: null,
      hasher,
      bytesFetched: 0,
      location: this.file.location ?? null,
    };
    hasher.advance(this.#a.written);
    const resumedFrom = done.total();
    this.opts.onBytes?.(0, resumedFrom);
    try {
      const free = await freeBytes(this.#source.dir);
      const left = this.file.size - this.#a.written;
      if (free !== null && free < left) throw await this.#mapDisk(Object.assign(new Error('no space'), { code: 'ENOSPC' }), left);
      for (;;) {
        if (this.opts.signal.aborted) throw cancelledError();
        try {
          if (await this.#step()) return { path: this.#a.partial.path, resumedFrom, bytesFetched: this.#a.bytesFetched };
        } catch (error) {
          await this.#recover(error);
        }
      }
    } finally {
      if (!this.#closed) {
        const a = this.#a;
        await a.hasher.dispose();
        const empty = (await a.partial.fh.stat().catch(() => null))?.size === 0;
        await a.partial.fh.close().catch(() => undefined);
        // An empty partial is worth nothing to a resume: it goes (the caller holds the lock).
        if (empty) await fs.promises.rm(a.partial.path, { force: true });
      }
    }
  }

  /** Starts the file over from an empty partial. */
  async #restart(): Promise<void> {
    const a = this.#a;
    await a.hasher.dispose();
    // The folder itself may have been deleted under us.
    await fs.promises.mkdir(this.#source.dir, { recursive: true });
    a.partial = await this.#source.replace(a.partial);
    a.record = null;
    a.done = new SpanSet();
    a.written = 0;
    this.#closed = false;
    a.hasher = createDiskHasher(a.partial.fh.fd, this.file.etag, this.file.size, this.opts.hashOffThread);
    this.opts.onBytes?.(0, 0);
  }

  /** One attempt, then the check once every byte is there; true when the file is verified and closed. */
  async #step(): Promise<boolean> {
    const a = this.#a;
    if (a.written < this.file.size) {
      const before = a.written;
      const result = this.#segmentsAllowed ? await fetchSpread(a) : await fetchSingle(a);
      if (result === 'no-ranges') this.#segmentsAllowed = false;
      if (result !== 'ok') {
        await this.#restart();
        return false;
      }
      if (a.written > before) this.#failures = 0;
    }
    if (a.written !== this.file.size) return false;
    // The record goes first: a crash after it leaves a whole file that reads as a whole prefix.
    await a.record?.remove();
    if (!(await stillOurs(a.partial))) throw new PartialGone();
    const onDisk = (await a.partial.fh.stat()).size;
    const digest = onDisk === this.file.size ? await a.hasher.digest().catch(() => null) : null;
    if (digest !== this.file.etag) {
      this.#integrityFailures += 1;
      if (this.#integrityFailures > 2) {
        await fs.promises.rm(a.partial.path, { force: true });
        throw new HubError(
          'INTEGRITY',
          `${this.#name} arrived corrupted ${this.#integrityFailures} times (its hash did not match); nothing was saved. Try again later.`,
          { ...this.file.ctx, host: hostOf(a) },
        );
      }
      await this.#restart();
      return false;
    }
    this.#closed = true;
    await a.hasher.dispose();
    // No fsync, as huggingface_hub does not either: it would cost a full flush of a multi-GB
    // file, and a blob damaged by a power cut is caught by `cache verify` (hash by name).
    await a.partial.fh.close();
    return true;
  }

  /** After a failed attempt: restart, refresh the link, back off, or throw what retrying will not fix. */
  async #recover(error: unknown): Promise<void> {
    const a = this.#a;
    if (this.opts.signal.aborted) throw cancelledError();
    if (error instanceof HubError && (error.code === 'INTEGRITY' || error.code === 'DISK_FULL')) throw error;
    const disk = await diskError(error, this.#source.dir, this.file.size - a.written, this.#name);
    if (disk) throw disk;
    if (error instanceof PartialGone || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      // Restart the file cleanly rather than write into a file nobody can see.
      this.#restarts += 1;
      if (this.#restarts > 3)
        throw new HubError('INTEGRITY', `Another program keeps deleting the partial download of ${this.#name}; stopped after ${this.#restarts} restarts.`, {
          ...this.file.ctx,
        });
      await this.#restart();
      return;
    }
    const attempt = error instanceof Attempt ? error : null;
    const hubErr = attempt?.hubError ?? (error instanceof HubError ? error : null);
    if (!hubErr) throw error;
    if (attempt?.restartFromZero) await this.#restart();
    // A signed link refused by the download host (expired, say) is resolved again, once. The HEAD's
    // link handed in by the plan is dropped without spending that once: it is used only until its
    // first refusal, and the transfer's own link keeps its refresh for a cut that outlives it.
    if (hubErr.details.host && (hubErr.code === 'FORBIDDEN' || hubErr.code === 'NOT_FOUND')) {
      const handed = this.#handedLink !== null && a.location === this.#handedLink;
      this.#handedLink = null;
      if (handed || !this.#linkRefreshed) {
        if (!handed) this.#linkRefreshed = true;
        a.location = null;
        return;
      }
    }
    this.#attempts += 1;
    if (!hubErr.transient) throw hubErr;
    this.#failures += 1;
    const maxRetries = this.opts.maxRetries ?? 8;
    if (this.#failures > maxRetries) throw gaveUp(hubErr, this.#attempts, this.#name, hubErr.details.host ?? hostOf(a), this.hub);
    const delay = retryDelayMs(RETRY_POLICIES.download, this.#failures - 1, hubErr.details.retryAfterSeconds);
    this.opts.onRetry?.({ reason: hubErr.message, attempt: this.#failures, maxAttempts: maxRetries, delayMs: delay });
    await (this.opts.sleep ?? abortableSleep)(delay, this.opts.signal).catch(() => {
      throw cancelledError();
    });
  }
}
