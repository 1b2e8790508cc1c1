/**
 * Downloads one blob into the cache, safely beside Python, other Hubcaps and the CLI:
 *  1. a blob of the right size already there is used as is;
 *  2. otherwise the blob's lock is taken (`.locks/<repo>/<etag>.lock`, honoured by Python), waiting
 *     as long as another program holds it, and the blob is looked for again (the other writer
 *     may just have finished it: then not a byte is fetched);
 *  3. the same bytes in another repo of this cache are copied and verified, not downloaded;
 *  4. otherwise a partial of ours or another tool's is adopted and resumed, or a fresh one started,
 *     by the engine (verified-fetch.ts: Xet or the whole-file URL, verified before it returns);
 *  5. the verified partial is renamed to the blob's name, still under the lock.
 *
 * Why our own engine (not @huggingface/hub's downloadFileToCacheDir): it has no lock, progress,
 * resume or verification, and names snapshots and refs differently from Python.
 */
import fs from 'node:fs';
import path from 'node:path';
import { blobLockPath, lockFile } from '../cache/blob-lock';
import { blobsDir, snapshotsDir } from '../cache/layout';
import type { HubHttp } from '../hub/http';
import { cancelledError, diskError } from './failures';
import type { FileCtx } from './http-attempt';
import { LocalChunks } from './xet-local-chunks';
import { copyLocalBlob } from './local-copy';
import { cachePartials } from './partial-file';
import { checkFileFacts, fetchVerified, type VerifiedFetchOptions } from './verified-fetch';

export type { RetryInfo } from './http-attempt';
export { AUTO_CONNECTIONS, PARALLEL_THRESHOLD, blockBytesFor } from './http-spread';

export interface BlobRequest {
  /** The resolve URL of the file at a commit (on the Hub origin). */
  url: string;
  /** Where the plan's HEAD of that URL led (a fresh signed link): fetched first. */
  location?: string;
  etag: string;
  size: number;
  cacheDir: string;
  /** `models--org--name`: where the blob and its lock live. */
  repoFolder: string;
  ctx: FileCtx;
  /** Fetch even when a blob of the right size is there (its bytes were found corrupt). */
  replace?: boolean;
  /** The file is stored in Xet: its Xet hash and where its read token comes from. */
  xet?: { hash: string; refreshUrl: string };
}

export interface BlobFetchOptions extends VerifiedFetchOptions {
  /** Another program holds the blob's lock: this download waits for it. */
  onWaiting?: () => void;
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
  /** Xet bytes taken from local files instead of fetched (a delta update), and local copies found stale (nothing used from them). */
  reusedBytes?: number;
  staleSources?: string[];
  /** Via Xet: bytes written from chunks the file repeats, fetched once (see VerifiedFetchResult). */
  repeatedBytes?: number;
  /** Via Xet: the sha256 held but the Xet file hash did not (see VerifiedFetchResult). */
  xetHashDiffers?: true;
}

async function isPresent(file: string, size: number): Promise<boolean> {
  const st = await fs.promises.lstat(file).catch(() => null);
  return st !== null && st.isFile() && st.size === size;
}

export async function fetchBlob(hub: HubHttp, req: BlobRequest, opts: BlobFetchOptions): Promise<BlobFetchResult> {
  checkFileFacts(req);
  const repoDir = path.join(req.cacheDir, req.repoFolder);
  const blobsFolder = blobsDir(repoDir);
  const finalPath = path.join(blobsFolder, req.etag);
  const present = { path: finalPath, alreadyPresent: true, resumedFrom: 0, bytesFetched: 0 };
  if (!req.replace && (await isPresent(finalPath, req.size))) return { ...present, waited: false };
  try {
    await fs.promises.mkdir(blobsFolder, { recursive: true });
    // A repo folder always has snapshots/ (Python's scanner rejects one without).
    await fs.promises.mkdir(snapshotsDir(repoDir), { recursive: true });
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
    // Chunks of other local Xet files (an older revision of this file) are taken from disk (#26.3).
    const local = req.xet
      ? new LocalChunks({ repoDir, landsAt: finalPath, repoPath: req.ctx.path, sha256: req.etag, xetHash: req.xet.hash, size: req.size })
      : null;
    const got = await fetchVerified(
      hub,
      local && req.xet ? { ...req, xet: { ...req.xet, local } } : req,
      cachePartials(blobsFolder, req.etag, req.size),
      opts,
    ).finally(() => local?.close());
    await fs.promises.rename(got.path, finalPath).catch(async (error: unknown) => {
      throw (await diskError(error, blobsFolder, 0, req.ctx.path)) ?? error;
    });
    const delta = local && got.protocol === 'xet' ? { reusedBytes: local.reused, staleSources: [...local.stale] } : {};
    return {
      path: finalPath,
      alreadyPresent: false,
      waited,
      resumedFrom: got.resumedFrom,
      bytesFetched: got.bytesFetched,
      protocol: got.protocol,
      ...delta,
      ...(got.repeatedBytes ? { repeatedBytes: got.repeatedBytes } : {}),
      ...(got.xetHashDiffers ? { xetHashDiffers: true as const } : {}),
    };
  } finally {
    await lock.release().catch(() => undefined);
  }
}
