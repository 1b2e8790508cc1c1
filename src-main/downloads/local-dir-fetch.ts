/**
 * The network step of a local-dir download, on the download engine itself (fetchBlob: lock,
 * Range resume, adaptive connections, Xet, the hash checked before the rename), not a copy of it:
 * the engine works in a staging folder beside the temp file (same drive: renames only), and the
 * temp file Python or an earlier run left is handed to it as a partial, so its bytes are kept.
 * To be replaced by the engine's own "fetch a verified file into this temp path" once the
 * downloads split exposes it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HubHttp } from '../hub/http';
import { blobsDir } from '../cache/layout';
import { fetchBlob, type BlobFetchOptions } from './blob-fetch';
import type { FetchInto } from './local-dir';
import { INCOMPLETE_SUFFIX } from './range-state';

/** Staging lives in Python's download folder, which it only reads by exact names. */
const STAGING = '.hubcap-staging';
const FOLDER = 'local';

export function engineFetchInto(hub: HubHttp, extra: Partial<BlobFetchOptions> = {}): FetchInto {
  return async (req, { signal, onBytes }) => {
    // One staging folder per blob: two files fetched at once (another Hubcap, another file) never share one.
    const staging = path.join(path.dirname(req.partial), STAGING, req.etag);
    const blobs = blobsDir(path.join(staging, FOLDER));
    await fs.promises.mkdir(blobs, { recursive: true });
    // Python's temp (or ours) becomes the engine's partial: resumed from its size, then checked whole.
    if (fs.lstatSync(req.partial, { throwIfNoEntry: false })?.isFile())
      await fs.promises.rename(req.partial, path.join(blobs, `${req.etag}.${randomBytes(4).toString('hex')}${INCOMPLETE_SUFFIX}`));
    const r = await fetchBlob(
      hub,
      { url: req.url, etag: req.etag, size: req.size, cacheDir: staging, repoFolder: FOLDER, ctx: req.ctx, ...(req.xet ? { xet: req.xet } : {}) },
      { connections: 'auto', ...extra, signal, onBytes: (delta) => onBytes?.(delta) },
    );
    await fs.promises.rename(r.path, req.partial);
    // Nothing of ours is left once the file is through (a failure keeps the partial for the next run).
    await fs.promises.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await fs.promises.rmdir(path.dirname(staging)).catch(() => undefined);
    return { bytesFetched: r.bytesFetched, resumedFrom: r.resumedFrom };
  };
}
