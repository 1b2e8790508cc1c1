/**
 * Pull-through (#28.2), for public repos only: a file the cache lacks is fetched from the Hub once,
 * by Hubcap's own download engine (verified, a job on the Downloads page), and every client asking
 * for it meanwhile waits on that one job; a listing the cache lacks is passed on from the Hub as it
 * answered (its `Link` pointed back at the mirror). A branch is asked of the Hub (remembered
 * briefly) and falls back to the cache's refs when the Hub cannot be reached.
 */
import type http from 'node:http';
import type { DownloadRequest } from '../contract/downloads';
import { HubHttp } from '../hub/http';
import { fileMetadata, type FileMetadata } from '../hub/resolve';
import { repoApiPath, COMMIT_RE, type RepoRef } from '../hub/repo-id';
import { hubError } from './answers';

/** How long the Hub's answer for a branch is trusted. */
export const BRANCH_TTL_MS = 30_000;
const MAX_LISTING = 32 << 20;
/** How long a failed pull of a file is answered with its error before it is tried again. */
export const FAILED_TTL_MS = 30_000;

export interface PullOptions {
  endpoint: string;
  offline: () => boolean;
  /** Runs one download through the engine; resolves with the bytes fetched once its files are in the cache, verified. */
  download: (request: DownloadRequest) => Promise<number>;
  fetch?: typeof fetch;
  onUpstreamBytes?: (n: number) => void;
}

export class PullThrough {
  readonly #opts: PullOptions;
  /** Anonymous: what is pulled is public, and the owner's token is not lent to anyone. */
  readonly #hub: HubHttp;
  readonly #branches = new Map<string, { commit: string | null; at: number }>();
  readonly #pulls = new Map<string, Promise<void>>();
  readonly #failed = new Map<string, { error: unknown; at: number }>();

  constructor(opts: PullOptions) {
    this.#opts = opts;
    this.#hub = new HubHttp({
      endpoint: opts.endpoint,
      token: () => null,
      offline: opts.offline,
      timeoutMs: 10_000,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  /** The commit a branch or tag names on the Hub now; null when the Hub cannot say (then the cache's refs decide). */
  async commitOf(repo: RepoRef, revision: string, now = Date.now()): Promise<string | null> {
    if (COMMIT_RE.test(revision)) return revision;
    const key = `${repo.type}:${repo.id}@${revision}`;
    const known = this.#branches.get(key);
    if (known && now - known.at < BRANCH_TTL_MS) return known.commit;
    let commit: string | null = null;
    try {
      const res = await this.#hub.fetch(this.#hub.url(`/api/${repoApiPath(repo)}/revision/${encodeURIComponent(revision)}`), {
        throwOnError: false,
        retries: 0,
        maxBodyBytes: MAX_LISTING,
      });
      if (res.ok) {
        const sha = ((await res.json()) as { sha?: unknown }).sha;
        commit = typeof sha === 'string' && COMMIT_RE.test(sha) ? sha : null;
      } else await res.body?.cancel();
    } catch {
      // Unreachable: the cache's refs answer, and the Hub is not asked again for BRANCH_TTL_MS.
      commit = known?.commit ?? null;
    }
    this.#branches.set(key, { commit, at: now });
    if (this.#branches.size > 10_000) this.#branches.delete(this.#branches.keys().next().value as string);
    return commit;
  }

  /** What the Hub says of a file (commit, blob name, size), asked anonymously: what a pull of it will fetch. */
  metadata(repo: RepoRef, revision: string, filePath: string): Promise<FileMetadata> {
    return fileMetadata(this.#hub, repo, revision, filePath);
  }

  /**
   * Fetches one file into the cache through the engine, once however many clients ask at the same
   * time. A failed pull is answered with its error for FAILED_TTL_MS rather than started again: a
   * client that retries a cut download at once (Python does, without end while bytes keep coming)
   * gets the error instead of another doomed attempt.
   */
  file(repo: RepoRef, revision: string, commit: string | null, filePath: string, now = Date.now()): Promise<void> {
    const key = `${repo.type}:${repo.id}@${commit ?? revision}:${filePath}`;
    let pending = this.#pulls.get(key);
    const failed = this.#failed.get(key);
    if (!pending && failed && now - failed.at < FAILED_TTL_MS) return Promise.reject(failed.error);
    if (!pending) {
      this.#failed.delete(key);
      pending = this.#opts
        .download({ repoType: repo.type, repo: repo.id, revision, ...(commit ? { commit } : {}), files: [filePath] })
        .then(
          (bytes) => this.#opts.onUpstreamBytes?.(bytes),
          (error: unknown) => {
            this.#failed.set(key, { error, at: Date.now() });
            if (this.#failed.size > 10_000) this.#failed.delete(this.#failed.keys().next().value as string);
            throw error;
          },
        )
        .finally(() => this.#pulls.delete(key));
      this.#pulls.set(key, pending);
    }
    return pending;
  }

  /** The error of a pull of this file that failed moments ago, if one did. */
  recentFailure(repo: RepoRef, commit: string, filePath: string, now = Date.now()): unknown {
    const failed = this.#failed.get(`${repo.type}:${repo.id}@${commit}:${filePath}`);
    return failed && now - failed.at < FAILED_TTL_MS ? failed.error : null;
  }

  /** Passes a listing (info, tree, paths-info) on from the Hub, bounded, with its Link pointed back at `base`. */
  async listing(req: http.IncomingMessage, res: http.ServerResponse, hubPath: string, base: string, body?: string): Promise<void> {
    let answer: Response;
    try {
      answer = await this.#hub.fetch(this.#hub.url(hubPath), {
        method: req.method === 'POST' ? 'POST' : 'GET',
        throwOnError: false,
        followRedirects: false,
        maxBodyBytes: MAX_LISTING,
        ...(body !== undefined ? { body, headers: { 'content-type': String(req.headers['content-type'] ?? 'application/x-www-form-urlencoded') } } : {}),
      });
    } catch {
      return hubError(res, 503, null, 'Not held here, and the Hub cannot be reached now.', { 'Retry-After': '60' });
    }
    const text = await answer.text().catch(() => null);
    if (text === null) return hubError(res, 502, null, 'The Hub sent a listing too large to pass on.');
    this.#opts.onUpstreamBytes?.(Buffer.byteLength(text));
    const headers: Record<string, string> = { 'Content-Type': answer.headers.get('content-type') ?? 'application/json', 'Cache-Control': 'no-store' };
    for (const h of ['x-error-code', 'x-error-message', 'x-repo-commit']) {
      const v = answer.headers.get(h);
      if (v) headers[h] = v;
    }
    const link = answer.headers.get('link');
    if (link) headers.Link = link.split(this.#hub.endpoint).join(base);
    res.writeHead(answer.status, { ...headers, 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(req.method === 'HEAD' ? undefined : text);
  }
}
