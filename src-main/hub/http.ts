/**
 * Every request to the Hub goes through here. One function decides where the token may go: only to
 * the configured endpoint's origin, never to a CDN after a redirect, never to another host.
 * Redirects are followed by hand so that decision is made again at every hop.
 */
import { appVersion } from '../app/versions';
import { HubError, hubErrorFrom, networkError, type ErrorContext } from './errors';

export interface HubHttpOptions {
  endpoint: string;
  token: () => string | null;
  offline: () => boolean;
  fetch?: typeof fetch;
}

export interface HubRequestInit extends RequestInit {
  /** What the request is about, for error messages. */
  ctx?: Omit<ErrorContext, 'signedIn'>;
  /** Throw a HubError for non-2xx answers (default true). */
  throwOnError?: boolean;
  /** Follow redirects (default true); when false the 3xx response is returned as is. */
  followRedirects?: boolean;
  /** Retries of transient failures (429, 5xx, network) for GET and HEAD; default 3. */
  retries?: number;
}

export const USER_AGENT = `hubcap/${appVersion}; node/${process.versions.node}`;

export class HubHttp {
  readonly endpoint: string;
  readonly #origin: string;
  readonly #opts: HubHttpOptions;

  constructor(opts: HubHttpOptions) {
    this.#opts = opts;
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
    this.#origin = new URL(this.endpoint).origin;
  }

  get signedIn(): boolean {
    return this.#opts.token() !== null;
  }

  isOffline(): boolean {
    return this.#opts.offline();
  }

  /** The Authorization header for a URL: the token for the Hub's own origin, nothing elsewhere. */
  authorizationFor(url: string): string | null {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      return null;
    }
    if (origin !== this.#origin) return null;
    const token = this.#opts.token();
    return token ? `Bearer ${token}` : null;
  }

  headersFor(url: string, extra?: HeadersInit): Headers {
    const headers = new Headers(extra);
    headers.delete('authorization');
    const auth = this.authorizationFor(url);
    if (auth) headers.set('authorization', auth);
    headers.set('user-agent', USER_AGENT);
    return headers;
  }

  async fetch(url: string, init: HubRequestInit = {}): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const retries = method === 'GET' || method === 'HEAD' ? (init.retries ?? 3) : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#fetchOnce(url, init);
      } catch (error) {
        if (!(error instanceof HubError) || !error.transient || attempt >= retries || init.signal?.aborted) throw error;
        const ra = error.details.retryAfterSeconds;
        await new Promise((r) => setTimeout(r, ra !== undefined ? Math.min(30_000, ra * 1000) : 300 * 2 ** attempt));
      }
    }
  }

  async #fetchOnce(url: string, init: HubRequestInit): Promise<Response> {
    const { ctx, throwOnError = true, followRedirects = true, retries: _retries, ...rest } = init;
    if (this.isOffline()) throw new HubError('OFFLINE', 'Offline mode is on: Hubcap makes no network requests.');
    const doFetch = this.#opts.fetch ?? fetch;
    let current = url;
    let res: Response;
    for (let hop = 0; ; hop++) {
      try {
        res = await doFetch(current, { ...rest, headers: this.headersFor(current, rest.headers), redirect: 'manual' });
      } catch (error) {
        if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') throw error;
        throw networkError(error, current);
      }
      const location = res.headers.get('location');
      if (!followRedirects || res.status < 300 || res.status >= 400 || !location || hop >= 10) break;
      await res.body?.cancel();
      current = new URL(location, current).toString();
      if (res.status === 303) rest.method = 'GET';
    }
    if (throwOnError && !res.ok && !(res.status >= 300 && res.status < 400)) {
      let bodyMessage: string | undefined;
      try {
        const text = await res.text();
        bodyMessage = (JSON.parse(text) as { error?: string }).error ?? undefined;
      } catch {
        bodyMessage = undefined;
      }
      throw hubErrorFrom(res.status, res.headers, { ...ctx, signedIn: this.signedIn }, bodyMessage);
    }
    return res;
  }

  /** A fetch for @huggingface/hub: same policy, and typed errors instead of its generic ones. */
  readonly libraryFetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    return this.fetch(url, init);
  };

  url(pathname: string): string {
    return `${this.endpoint}${pathname}`;
  }
}
