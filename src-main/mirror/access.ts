/**
 * Who may have what (#28.3). The owner's Hub token is never used for someone else: whether a repo
 * is public is asked of the Hub anonymously, and a gated or private repo is served only to a client
 * whose own token the Hub accepts for it (asked upstream with that token, remembered briefly).
 * What the Hub said about a repo is remembered (and kept in a file when given), so public repos
 * keep coming while the uplink is down; a repo never seen public is refused then.
 */
import { createHash } from 'node:crypto';
import { readOwnFileSync, writeFileAtomic } from '../base/atomic-write';
import { HubHttp } from '../hub/http';
import { repoApiPath, repoUrlPath, type RepoRef } from '../hub/repo-id';
import type { Visibility } from './answers';

/** How long what the Hub said stays fresh before it is asked again. */
export const VISIBILITY_TTL_MS = 10 * 60_000;
export const GRANT_TTL_MS = 5 * 60_000;
/** After the Hub could not be reached, how long before it is asked again. */
export const UNREACHABLE_RETRY_MS = 60_000;
export const REFUSAL_TTL_MS = 30_000;

export type Grant = { ok: true } | { ok: false; status: number; code: string | null; message: string };

export interface UpstreamOptions {
  endpoint: string;
  offline: () => boolean;
  fetch?: typeof fetch;
  /** Where learned visibilities are kept across runs (a JSON file of our own), or none. */
  recordFile?: string;
  timeoutMs?: number;
}

const keyOf = (repo: RepoRef) => `${repo.type}:${repo.id}`;

export class MirrorAccess {
  readonly #opts: UpstreamOptions;
  readonly #visibility = new Map<string, { v: Visibility; at: number }>();
  readonly #grants = new Map<string, { grant: Grant; until: number }>();

  constructor(opts: UpstreamOptions) {
    this.#opts = opts;
    if (opts.recordFile) {
      try {
        const kept = JSON.parse(readOwnFileSync(opts.recordFile)) as Record<string, unknown>;
        for (const [k, v] of Object.entries(kept)) if (v === 'public' || v === 'gated' || v === 'private') this.#visibility.set(k, { v, at: 0 });
      } catch {
        // no record yet (or an unreadable one): everything is asked again
      }
    }
  }

  /** An HTTP client for the Hub that carries `token` (a client's) or none: never the owner's. */
  #hub(token: string | null): HubHttp {
    return new HubHttp({
      endpoint: this.#opts.endpoint,
      token: () => token,
      offline: this.#opts.offline,
      timeoutMs: this.#opts.timeoutMs ?? 10_000,
      ...(this.#opts.fetch ? { fetch: this.#opts.fetch } : {}),
    });
  }

  /** Public, gated or private as the Hub last said; null when it never said and cannot be asked now. */
  async visibility(repo: RepoRef, now = Date.now()): Promise<Visibility | null> {
    const known = this.#visibility.get(keyOf(repo));
    if (known && now - known.at < VISIBILITY_TTL_MS) return known.v;
    const hub = this.#hub(null);
    let asked: Visibility | null = null;
    try {
      const res = await hub.fetch(hub.url(`/api/${repoApiPath(repo)}`), { throwOnError: false, retries: 0, maxBodyBytes: 16 << 20 });
      if (res.ok) {
        const info = (await res.json()) as { private?: unknown; gated?: unknown };
        asked = info.private === true ? 'private' : info.gated && info.gated !== false ? 'gated' : 'public';
      } else {
        await res.body?.cancel();
        // Anonymous 401/403/404: private (or gone) for everyone without a token of their own.
        if ([401, 403, 404].includes(res.status)) asked = 'private';
      }
    } catch {
      asked = null; // unreachable, offline or timed out: fall back to what was known
    }
    if (asked === null) {
      // Not asked again for a minute: with the uplink black-holed, every request would wait out the timeout.
      if (known) this.#visibility.set(keyOf(repo), { v: known.v, at: now - VISIBILITY_TTL_MS + UNREACHABLE_RETRY_MS });
      return known?.v ?? null;
    }
    this.#visibility.set(keyOf(repo), { v: asked, at: now });
    if (known?.v !== asked) this.#save();
    return asked;
  }

  #save(): void {
    if (!this.#opts.recordFile) return;
    const out: Record<string, Visibility> = {};
    for (const [k, { v }] of this.#visibility) out[k] = v;
    try {
      writeFileAtomic(this.#opts.recordFile, JSON.stringify(out));
    } catch {
      // best effort: the record only saves asking again after a restart
    }
  }

  /**
   * May the bearer of `authorization` have `file` of a gated or private repo? Asked of the Hub with
   * that header alone (a HEAD of the file at the commit), as the Hub itself would answer it.
   */
  async grant(repo: RepoRef, commit: string, file: string | null, authorization: string | undefined, now = Date.now()): Promise<Grant> {
    const token = /^Bearer\s+(\S{1,4096})$/i.exec(authorization ?? '')?.[1] ?? null;
    const id = `${token ? createHash('sha256').update(token).digest('hex') : '-'}:${keyOf(repo)}:${file ?? ''}`;
    const kept = this.#grants.get(id);
    if (kept && kept.until > now) return kept.grant;
    const hub = this.#hub(token);
    const url = file
      ? hub.url(`/${repoUrlPath(repo)}/resolve/${commit}/${file.split('/').map(encodeURIComponent).join('/')}`)
      : hub.url(`/api/${repoApiPath(repo)}/revision/${commit}`);
    let grant: Grant;
    try {
      const res = await hub.fetch(url, { method: file ? 'HEAD' : 'GET', throwOnError: false, followRedirects: false, retries: 0 });
      await res.body?.cancel();
      grant =
        res.status < 400
          ? { ok: true }
          : {
              ok: false,
              status: res.status,
              code: res.headers.get('x-error-code'),
              message: res.headers.get('x-error-message') ?? `The Hub refused access to ${repo.id} (HTTP ${res.status}).`,
            };
    } catch {
      return { ok: false, status: 503, code: null, message: `Access to ${repo.id} is checked with the Hub, which cannot be reached now.` };
    }
    this.#grants.set(id, { grant, until: now + (grant.ok ? GRANT_TTL_MS : REFUSAL_TTL_MS) });
    if (this.#grants.size > 10_000) this.#grants.delete(this.#grants.keys().next().value as string);
    return grant;
  }
}
