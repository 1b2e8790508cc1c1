/**
 * The Xet road for one file (docs/hub-protocol.md §3.4), taken by fetchVerified under the lock
 * that guards its partial, for files the Hub marks as Xet: a partial is claimed as for the classic
 * road, filled by transferXet (which verifies sha256 and the Xet file hash before returning), and
 * left verified for the caller to rename. A journal beside it (xet-journal.ts) records from the first byte which chunks of
 * which ranges are written, so a stop or a kill -9 resumes at the chunk, and a partial with holes is
 * never mistaken for a prefix by a classic resume. A corrupt answer is fetched again once from
 * nothing (the sha256 alone cannot say which bytes were wrong), then the file fails with nothing
 * landed.
 *
 * Chunks of other files already on disk (an older revision: a delta update) come in through `opts.local` (xet-local-chunks.ts).
 */
import type { ConnectionBudget } from './connection-controller';
import fs from 'node:fs';
import { JOB_CONNECTION_BOUNDS } from '../contract/downloads';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import type { RepoRef } from '../hub/repo-id';
import { stillOurs, type PartialFile, type PartialSource } from './partial-file';
import { rangesPathOf } from './range-state';
import { readXetProgress, XetJournal } from './xet-journal';
import { transferXet, type XetHashCheck, type XetTransferOptions } from './xet-transfer';

export interface XetBlobRequest {
  etag: string;
  size: number;
  ctx: { repo?: string; path?: string };
  xet: { hash: string; refreshUrl: string };
}

export type XetBlobOptions = Omit<XetTransferOptions, 'onSpans'>;

/** Where Python asks for a read token when only the tree said the file is Xet (huggingface_hub `xet_connection_info_refresh_url`). */
export function xetRefreshUrl(hub: HubHttp, repo: RepoRef, commit: string): string {
  return hub.url(`/api/${repo.type}s/${repo.id}/xet-read-token/${encodeURIComponent(commit)}`);
}

/**
 * Fills and verifies a partial through Xet; it is left closed at the returned path for the caller
 * to rename. Call under the lock that guards the partial.
 */
export async function fetchXetBlob(
  hub: HubHttp,
  req: XetBlobRequest,
  opts: XetBlobOptions,
  source: PartialSource,
): Promise<{ path: string; bytesFetched: number; sharedRanges: number; repeatedBytes: number; resumedFrom: number; xetHash: XetHashCheck }> {
  let partial: PartialFile = await source.claim();
  let closed = false;
  let corrupt = false;
  try {
    for (let attempt = 1; ; attempt++) {
      const resume = await readXetProgress(partial.path, req.size, req.xet.hash);
      const journal = new XetJournal(partial.path, req.size, req.xet.hash);
      // Before any byte lands out of order, a partial with no Xet progress is marked as holding nothing
      // trusted (a classic prefix would otherwise be read into it); one with progress keeps its record.
      if (resume.size === 0) journal.save([]);
      try {
        const r = await transferXet(
          hub,
          partial.fh,
          { xetHash: req.xet.hash, refreshUrl: req.xet.refreshUrl, size: req.size, sha256: req.etag, ctx: req.ctx },
          { ...opts, journal, resume },
        ).finally(() => journal.settled());
        await fs.promises.rm(rangesPathOf(partial.path), { force: true });
        if (!(await stillOurs(partial)))
          throw new HubError('INTEGRITY', `Another program deleted the partial download of ${req.ctx.path ?? req.etag}.`, { ...req.ctx });
        await partial.fh.truncate(req.size);
        closed = true;
        await partial.fh.close();
        return {
          path: partial.path,
          bytesFetched: r.bytesFetched,
          sharedRanges: r.sharedRanges,
          repeatedBytes: r.repeatedBytes,
          resumedFrom: r.resumedBytes,
          xetHash: r.xetHash,
        };
      } catch (error) {
        corrupt = error instanceof HubError && error.code === 'INTEGRITY';
        if (!corrupt || attempt >= 2 || opts.signal.aborted) throw error;
        partial = await source.replace(partial);
      }
    }
  } finally {
    if (!closed) {
      await partial.fh.close().catch(() => undefined);
      // Bytes that proved wrong go with their journal (we hold the lock); any other stop keeps both for a resume.
      if (corrupt) {
        await fs.promises.rm(partial.path, { force: true });
        await fs.promises.rm(rangesPathOf(partial.path), { force: true });
      }
    }
  }
}

/** What the Xet road takes from a blob download's options. */
export interface XetRoadOptions {
  signal: AbortSignal;
  connections?: number | 'auto';
  /** Connections all downloads together may hold beyond each file's first (the classic road's too). */
  budget?: ConnectionBudget;
  onBytes?: (delta: number, position: number) => void;
  onConnections?: (n: number) => void;
  stallTimeoutMs?: number;
  maxRetries?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  hashOffThread?: boolean;
}

/**
 * Auto: xorb ranges open at once at first, and the most once a range shows the link caps a
 * connection (as the classic road's 16). Two, not eight, at first: on a link that caps nothing
 * the CPU is the limit, and 1 GiB on loopback took 13 s and peaked at 320 MB with eight ranges
 * against 10-11 s and 240-260 MB with two (one range alone waits on each request: 17 s).
 */
const AUTO_FIRST_RANGES = 2;
const AUTO_MAX_CONNECTIONS = JOB_CONNECTION_BOUNDS.max;

/** The Xet road's options from the classic ones. */
export function xetOptions(opts: XetRoadOptions): XetBlobOptions {
  const auto = opts.connections === 'auto' || opts.connections === undefined;
  return {
    signal: opts.signal,
    connections: auto ? AUTO_MAX_CONNECTIONS : Math.max(1, opts.connections as number),
    ...(auto ? { firstConnections: AUTO_FIRST_RANGES } : {}),
    ...(opts.budget ? { budget: opts.budget } : {}),
    ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
    ...(opts.onConnections ? { onConnections: opts.onConnections } : {}),
    ...(opts.stallTimeoutMs !== undefined ? { stallTimeoutMs: opts.stallTimeoutMs } : {}),
    ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    ...(opts.hashOffThread !== undefined ? { hashOffThread: opts.hashOffThread } : {}),
  };
}

/**
 * A Xet failure that the classic road may not meet (no read token here, a CAS that cannot be
 * reached or refuses): the whole-file URL is tried instead. Corrupt data, a full disk or a cancel
 * are the file's answer, whatever the road.
 */
export function xetFallsBack(error: unknown): boolean {
  return error instanceof HubError && !['INTEGRITY', 'CANCELLED', 'OFFLINE', 'DISK_FULL', 'DISK_ERROR'].includes(error.code);
}
