/**
 * Every request to the Hub goes through here. One function decides where the token may go: only to
 * the configured endpoint's origin, never to a CDN after a redirect, never to another host.
 * Redirects are followed by hand so that decision is made again at every hop, and every body a
 * caller reads whole is capped, so a hostile or broken server cannot fill memory.
 */
import { appVersion } from '../base/versions';
import { formatBytes } from '../contract/present/format';
import { HubError, hubErrorFrom, networkError, type ErrorContext } from './errors';
import { RETRY_POLICIES, retryDelayMs } from './retry';
import { BODY_LIMITS } from './limits';
import { nodeFetch } from './node-fetch';
import { nextHop } from './redirects';
import { HubHeaders, HubResponse, type HeadersLike } from './web-response';

export interface HubHttpOptions {
  endpoint: string;
  token: () => string | null;
  offline: () => boolean;
  fetch?: typeof fetch;
  /** No answer (headers, or the next piece of a body) for this long is a failure (HF_HUB_DOWNLOAD_TIMEOUT). */
  timeoutMs?: number;
  /** The same for metadata requests (HF_HUB_ETAG_TIMEOUT). */
  etagTimeoutMs?: number;
  /** Told what each request to the Hub's own origin met (an answer's status, or none), for the status bar. */
  onHubAnswer?: (outcome: { status: number } | { unreachable: string }) => void;
}

export interface HubRequestInit extends RequestInit {
  /** What the request is about, for error messages. */
  ctx?: Omit<ErrorContext, 'signedIn'>;
  /** Throw a HubError for non-2xx answers (default true). */
  throwOnError?: boolean;
  /** Follow redirects (default true); when false the 3xx response is returned as is. */
  followRedirects?: boolean;
  /** Retries of transient failures (429, 5xx, network): default 3 for GET and HEAD, 0 for others (pass it for an idempotent POST or PUT). */
  retries?: number;
  /** The most body bytes a reader of this answer may get (default BODY_LIMITS.json). */
  maxBodyBytes?: number;
  /** Overrides the client's timeout for this request. */
  timeoutMs?: number;
}

export const USER_AGENT = `hubcap/${appVersion}; node/${process.versions.node}`;

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * The same response with a body that errors once more than `max` bytes are read: `res.json()` and
 * friends then fail with a clear error instead of growing. Bytes are counted as read, not as
 * declared, so a caller may still read a prefix of a large answer and cancel the rest.
 */
export function limitBody(res: Response, max: number, host: string, idleMs?: number): Response {
  if (!res.body || NULL_BODY.has(res.status)) return res;
  const tooBig = () => new HubError('SERVER_ERROR', `${host} sent an answer larger than ${formatBytes(max)}; Hubcap refused to read it.`, { host });
  const reader = res.body.getReader();
  let seen = 0;
  const next = async () => {
    if (!idleMs) return reader.read();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new HubError('NETWORK', `${host} stopped sending for ${Math.round(idleMs / 1000)} s.`, { host })), idleMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Awaited<ReturnType<typeof next>>;
      try {
        chunk = await next();
      } catch (error) {
        await reader.cancel().catch(() => undefined);
        controller.error(error);
        return;
      }
      const { done, value } = chunk;
      if (done) {
        controller.close();
        return;
      }
      seen += value.byteLength;
      if (seen > max) {
        await reader.cancel().catch(() => undefined);
        controller.error(tooBig());
        return;
      }
      controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new HubResponse(body, { status: res.status, statusText: res.statusText, headers: res.headers, url: res.url });
}

export class HubHttp {
  readonly endpoint: string;
  readonly #origin: string;
  readonly #host: string;
  readonly #opts: HubHttpOptions;

  constructor(opts: HubHttpOptions) {
    this.#opts = opts;
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
    const u = new URL(this.endpoint);
    this.#origin = u.origin;
    this.#host = u.host;
  }

  /** How long a metadata request (HEAD) may take (HF_HUB_ETAG_TIMEOUT). */
  get etagTimeoutMs(): number | undefined {
    return this.#opts.etagTimeoutMs;
  }

  get signedIn(): boolean {
    return this.#opts.token() !== null;
  }

  isOffline(): boolean {
    return this.#opts.offline();
  }

  /** The one offline refusal: every network path calls this first. */
  assertOnline(): void {
    if (this.isOffline()) throw new HubError('OFFLINE', 'Offline mode is on: Hubcap makes no network requests.');
  }

  /** Is this URL on the Hub's own origin (where the token may go)? */
  isHubUrl(url: string): boolean {
    try {
      return new URL(url).origin === this.#origin;
    } catch {
      return false;
    }
  }

  isHubHost(host: string): boolean {
    return host === this.#host;
  }

  /** The Authorization header for a URL: the token for the Hub's own origin, nothing elsewhere. */
  authorizationFor(url: string): string | null {
    if (!this.isHubUrl(url)) return null;
    const token = this.#opts.token();
    return token ? `Bearer ${token}` : null;
  }

  headersFor(url: string, extra?: HeadersLike): Headers {
    const headers = new HubHeaders(extra);
    headers.delete('authorization');
    const auth = this.authorizationFor(url);
    if (auth) headers.set('authorization', auth);
    headers.set('user-agent', USER_AGENT);
    return headers;
  }

  async fetch(url: string, init: HubRequestInit = {}): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const retries = init.retries ?? (method === 'GET' || method === 'HEAD' ? 3 : 0);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#fetchOnce(url, init);
      } catch (error) {
        if (!(error instanceof HubError) || !error.transient || attempt >= retries || init.signal?.aborted) throw error;
        await new Promise((r) => setTimeout(r, retryDelayMs(RETRY_POLICIES.hubRequest, attempt, error.details.retryAfterSeconds)));
      }
    }
  }

  async #fetchOnce(url: string, init: HubRequestInit): Promise<Response> {
    const {
      ctx,
      throwOnError = true,
      followRedirects = true,
      retries: _retries,
      maxBodyBytes = BODY_LIMITS.json,
      timeoutMs = this.#opts.timeoutMs,
      ...rest
    } = init;
    this.assertOnline();
    const doFetch = this.#opts.fetch ?? nodeFetch;
    let current = url;
    let res: Response;
    for (let hop = 0; ; hop++) {
      // A timeout for the answer's headers; its body has an idle timeout of the same length below.
      const deadline = timeoutMs ? new AbortController() : null;
      const timer = deadline ? setTimeout(() => deadline.abort(), timeoutMs) : undefined;
      const signal = deadline ? (rest.signal ? AbortSignal.any([rest.signal, deadline.signal]) : deadline.signal) : rest.signal;
      try {
        res = await doFetch(current, { ...rest, ...(signal ? { signal } : {}), headers: this.headersFor(current, rest.headers), redirect: 'manual' });
      } catch (error) {
        if (deadline?.signal.aborted && !rest.signal?.aborted) {
          const host = new URL(current).host;
          throw new HubError('NETWORK', `${host} did not answer within ${Math.round((timeoutMs as number) / 1000)} s.`, { host });
        }
        if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') throw error;
        const failed = networkError(error, current);
        if (this.isHubUrl(current)) this.#opts.onHubAnswer?.({ unreachable: failed.message });
        throw failed;
      } finally {
        clearTimeout(timer);
      }
      if (this.isHubUrl(current)) this.#opts.onHubAnswer?.({ status: res.status });
      const location = res.headers.get('location');
      if (!followRedirects || res.status < 300 || res.status >= 400 || !location) break;
      await res.body?.cancel();
      current = nextHop(current, location, hop, { anyOrigin: true });
      if (res.status === 303) rest.method = 'GET';
    }
    const host = new URL(current).host;
    if (throwOnError && !res.ok && !(res.status >= 300 && res.status < 400)) {
      let bodyMessage: string | undefined;
      try {
        const parsed = JSON.parse(await limitBody(res, BODY_LIMITS.error, host, timeoutMs).text()) as { error?: unknown };
        bodyMessage = typeof parsed.error === 'string' ? parsed.error.slice(0, 500) : undefined;
      } catch {
        bodyMessage = undefined;
      }
      throw hubErrorFrom(res.status, res.headers, { ...ctx, signedIn: this.signedIn }, bodyMessage);
    }
    return limitBody(res, maxBodyBytes, host, timeoutMs);
  }

  /** A fetch for @huggingface/hub: same policy, and typed errors instead of its generic ones. */
  readonly libraryFetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    return this.fetch(url, init);
  };

  /** How long a request may wait for its answer (HF_HUB_DOWNLOAD_TIMEOUT), when set. */
  get timeoutMs(): number | undefined {
    return this.#opts.timeoutMs;
  }

  url(pathname: string): string {
    return `${this.endpoint}${pathname}`;
  }
}
