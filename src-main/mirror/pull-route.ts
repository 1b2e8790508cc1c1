/**
 * What the server does with a request of a public repo the cache cannot answer (#28.2): a listing
 * is passed on from the Hub; a large file is served as the engine writes it (pull-stream.ts), its
 * HEAD from the Hub's own metadata (no download for a client that only asks); a small one is
 * fetched whole first, then answered from the cache. Errors come back in the Hub's shape.
 */
import type http from 'node:http';
import path from 'node:path';
import { blobsDir, repoFolderName } from '../cache/layout';
import type { CacheScan } from '../cache/scan';
import { ApiError } from '../contract/errors';
import { COMMIT_RE } from '../hub/repo-id';
import { cacheControl, hubError } from './answers';
import type { MirrorRevision } from './catalog';
import type { PullThrough } from './pull';
import { answerPulling, PulledBlobs, STREAM_FROM_BYTES } from './pull-stream';
import { nextPageUrl, readBody } from './request-parts';
import type { MirrorRoute } from './routes';
import type { MirrorStats } from './stats';
import type { ClientBuckets } from './throttle';

type ResolveRoute = MirrorRoute & { kind: 'resolve' };

/** Does answering this need what the cache lacks? A file not held, or a revision not there at all. */
export function lacks(r: MirrorRoute, rev: MirrorRevision | null): boolean {
  if (!rev) return true;
  // A listing of a revision held in part is the Hub's to give.
  if (r.kind !== 'resolve') return !rev.complete;
  const file = rev.files.find((f) => f.path === r.path);
  return file ? !file.blobPath : !rev.complete;
}

export interface PullRoutesOptions {
  pull: PullThrough;
  scan: (fresh?: boolean) => CacheScan;
  buckets: ClientBuckets;
  stats: MirrorStats;
}

export class PullRoutes {
  readonly #o: PullRoutesOptions;
  readonly #blobs = new PulledBlobs();

  constructor(opts: PullRoutesOptions) {
    this.#o = opts;
  }

  /** Must a Range for this blob be answered whole (its unverified bytes were cut short)? */
  marked(etag: string): boolean {
    return this.#blobs.marked(etag);
  }

  /** Fetches what a public repo's request lacks; false when an answer was already sent. */
  async through(r: MirrorRoute, req: http.IncomingMessage, res: http.ServerResponse, prefix: string, commit: string | null, client: string): Promise<boolean> {
    const { pull } = this.#o;
    if (r.kind !== 'resolve') {
      const body = r.kind === 'paths-info' ? await readBody(req) : undefined;
      if (body === null) {
        hubError(res, 400, null, 'Request body too large or too slow.');
        return false;
      }
      await pull.listing(req, res, (req.url ?? '').slice(prefix.length), nextPageUrl(req, prefix, ''), body);
      return false;
    }
    if (!(await this.#large(r, req, res, commit, client))) return false;
    try {
      await pull.file(r.repo, r.revision, commit, r.path);
      return true;
    } catch (error) {
      failed(res, r, error);
      return false;
    }
  }

  /** A large file: answered here as the engine writes it (false); a small one is left to the caller (true). */
  async #large(r: ResolveRoute, req: http.IncomingMessage, res: http.ServerResponse, commit: string | null, client: string): Promise<boolean> {
    const { pull, scan, buckets, stats } = this.#o;
    let meta;
    try {
      meta = await pull.metadata(r.repo, commit ?? r.revision, r.path);
    } catch (error) {
      failed(res, r, error);
      return false;
    }
    if (meta.size < STREAM_FROM_BYTES) return true;
    const recent = pull.recentFailure(r.repo, meta.commit, r.path);
    if (recent) {
      failed(res, r, recent);
      return false;
    }
    const get = req.method === 'GET';
    const done = get ? pull.file(r.repo, r.revision, meta.commit, r.path) : Promise.resolve();
    // Later clients are answered from the cache as soon as the blob is in.
    if (get) done.then(() => scan(true)).catch(() => undefined);
    await answerPulling(req, res, {
      file: { path: r.path, size: meta.size, etag: meta.etag },
      commit: meta.commit,
      cacheControl: cacheControl('public', COMMIT_RE.test(r.revision)),
      blobsDir: blobsDir(path.join(scan().root, repoFolderName(r.repo))),
      done,
      blobs: this.#blobs,
      throttle: buckets.limited && get ? buckets.stream(client) : null,
      onBytes: (n) => (stats.bytesWhilePulling += n),
    });
    return false;
  }
}

/** The Hub's error for a failed pull, in its shape. */
function failed(res: http.ServerResponse, r: ResolveRoute, error: unknown): void {
  const code = error instanceof ApiError ? error.code : 'INTERNAL';
  const hub = { ENTRY_NOT_FOUND: [404, 'EntryNotFound'], REVISION_NOT_FOUND: [404, 'RevisionNotFound'], REPO_NOT_FOUND: [404, 'RepoNotFound'] } as const;
  const known = hub[code as keyof typeof hub];
  const status = known?.[0] ?? (code === 'RATE_LIMITED' ? 429 : code === 'NETWORK' || code === 'OFFLINE' ? 503 : 502);
  hubError(res, status, known?.[1] ?? null, known ? (error as Error).message : `Fetching ${r.path} from the Hub failed: ${(error as Error).message}`);
}
