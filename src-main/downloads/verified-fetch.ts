/**
 * "Fetch a verified file of known etag and size into this partial, resumably": the one engine both
 * the cache (blob-fetch.ts) and a plain folder (`--local-dir`) use. Xet files take the Xet road
 * (xet-blob.ts) unless it is turned off or cannot be met (no token, no CAS), then the classic one
 * (http-transfer.ts); both resume what the partial holds, verify the bytes on disk against the etag
 * before returning, and leave the file closed at its path for the caller to rename under its lock.
 * A corrupt answer, a full disk or a cancel is the file's answer, whatever the road.
 */
import fs from 'node:fs';
import { checkEtag } from '../cache/layout';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { isByteCount } from '../hub/limits';
import { cancelledError, diskError } from './failures';
import type { FileCtx, HttpFile, HttpTransferOptions } from './http-attempt';
import { transferHttp } from './http-transfer';
import { partialAt, type PartialSource } from './partial-file';
import { fetchXetBlob, xetFallsBack, xetOptions } from './xet-blob';
import type { LocalChunks } from './xet-local-chunks';

export interface VerifiedFetchRequest extends HttpFile {
  /** The file is stored in Xet: its Xet hash and where its read token comes from (xetRefreshUrl). */
  xet?: { hash: string; refreshUrl: string; local?: LocalChunks };
}

export interface VerifiedFetchOptions extends HttpTransferOptions {
  /** Take the Xet road for Xet files (default true; false for HF_HUB_DISABLE_XET). */
  xet?: boolean;
}

export interface VerifiedFetchResult {
  /** The verified file, closed. */
  path: string;
  /** Bytes the partial already held, and bytes that travelled now. */
  resumedFrom: number;
  bytesFetched: number;
  protocol: 'xet' | 'http';
  /** Via Xet: the sha256 held, but the chunks' Xet file hash was not the one the Hub named (reported, not fatal). */
  xetHashDiffers?: true;
  /** Via Xet: bytes written from chunks the file repeats, fetched once (xet-transfer-types.ts repeatedBytes). */
  repeatedBytes?: number;
}

/** Checks what the Hub said about the file before a byte is asked for. */
export function checkFileFacts(req: { etag: string; size: number; ctx: FileCtx }): void {
  if (!isByteCount(req.size))
    throw new HubError('INTEGRITY', `The Hub gave ${req.ctx.path ?? 'a file'} an impossible size (${String(req.size).slice(0, 40)}).`, { ...req.ctx });
  checkEtag(req.etag);
}

/** Fills `source`'s partial with the file and verifies it. Call under the lock that guards the partial. */
export async function fetchVerified(hub: HubHttp, req: VerifiedFetchRequest, source: PartialSource, opts: VerifiedFetchOptions): Promise<VerifiedFetchResult> {
  if (req.xet && opts.xet !== false && req.etag.length === 64) {
    const viaXet = await fetchXetBlob(
      hub,
      { etag: req.etag, size: req.size, ctx: req.ctx, xet: req.xet },
      { ...xetOptions(opts), ...(req.xet.local ? { local: req.xet.local } : {}) },
      source,
    ).catch(async (error: unknown) => {
      if (opts.signal.aborted) throw cancelledError();
      if (!xetFallsBack(error)) throw (await diskError(error, source.dir, req.size, req.ctx.path)) ?? error;
      return null;
    });
    if (viaXet)
      return {
        path: viaXet.path,
        resumedFrom: viaXet.resumedFrom,
        bytesFetched: viaXet.bytesFetched,
        protocol: 'xet',
        ...(viaXet.xetHash === 'differs' ? { xetHashDiffers: true as const } : {}),
        ...(viaXet.repeatedBytes ? { repeatedBytes: viaXet.repeatedBytes } : {}),
      };
  }
  return { ...(await transferHttp(hub, req, source, opts)), protocol: 'http' };
}

/**
 * The reusable form: fetch the file into the temp file `partial` (a name ending `.incomplete`, its
 * ranges record beside it), resuming what it holds, verified before this resolves; the file is
 * left there, closed, for the caller to rename. Call while holding the lock that guards `partial`.
 */
export async function fetchIntoPath(hub: HubHttp, req: VerifiedFetchRequest & { partial: string }, opts: VerifiedFetchOptions): Promise<VerifiedFetchResult> {
  checkFileFacts(req);
  const source = partialAt(req.partial, req.size);
  await fs.promises.mkdir(source.dir, { recursive: true }).catch(async (error: unknown) => {
    throw (await diskError(error, source.dir, req.size, req.ctx.path)) ?? error;
  });
  return fetchVerified(hub, req, source, opts);
}
