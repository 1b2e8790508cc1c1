/**
 * The network step of a local-dir download: the download engine's own "fetch a verified file of
 * known etag and size into this temp path, resumably" (verified-fetch.ts): Range resume of what the
 * temp file holds (Python's left by a killed run, or ours), adaptive connections with their record
 * beside it, Xet, and the hash checked on disk before it returns. The caller renames it into place.
 */
import type { HubHttp } from '../hub/http';
import type { FetchInto } from './local-dir';
import { fetchIntoPath, type VerifiedFetchOptions } from './verified-fetch';

export function engineFetchInto(hub: HubHttp, extra: Partial<VerifiedFetchOptions> = {}): FetchInto {
  return async (req, { signal, onBytes }) => {
    const r = await fetchIntoPath(
      hub,
      { url: req.url, etag: req.etag, size: req.size, ctx: req.ctx, partial: req.partial, ...(req.xet ? { xet: req.xet } : {}) },
      { connections: 'auto', ...extra, signal, onBytes: (delta) => onBytes?.(delta) },
    );
    return { bytesFetched: r.bytesFetched, resumedFrom: r.resumedFrom, protocol: r.protocol, ...(r.xetHashDiffers ? { xetHashDiffers: true as const } : {}) };
  };
}
