/**
 * The CAS read token (docs/hub-protocol.md §3.4): `GET {xet-auth link}` on the Hub with the user's
 * token (HubHttp sends it only to the Hub's own origin, and this refuses a link elsewhere), answered
 * as JSON `{accessToken, casUrl, exp}` or as X-Xet-* headers. Refreshed a minute before it expires.
 */
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { XetDataError } from './errors';

export interface XetToken {
  accessToken: string;
  casUrl: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** A token this close to its expiry is refreshed before use. */
export const REFRESH_MARGIN_MS = 60_000;

function casUrlOf(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > 2048) return null;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' ? v.replace(/\/+$/, '') : null;
  } catch {
    return null;
  }
}

/** The token from a JSON body, else from the headers; a typed error when neither holds one. */
export function parseToken(body: unknown, headers: Headers): XetToken {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const accessToken = typeof b.accessToken === 'string' ? b.accessToken : headers.get('x-xet-access-token');
  const casUrl = casUrlOf(b.casUrl ?? headers.get('x-xet-cas-url'));
  const expRaw = b.exp ?? Number(headers.get('x-xet-token-expiration') ?? 'NaN');
  const exp = typeof expRaw === 'number' && Number.isSafeInteger(expRaw) && expRaw > 0 ? expRaw : null;
  if (!accessToken || accessToken.length > 8192 || /[\s]/.test(accessToken) || !casUrl || exp === null)
    throw new XetDataError('token', 'the Hub answered the Xet read-token request without a usable token, CAS address or expiry');
  return { accessToken, casUrl, exp };
}

export class XetTokenSource {
  readonly #hub: HubHttp;
  readonly #refreshUrl: string;
  readonly #now: () => number;
  #current: XetToken | null = null;
  #pending: Promise<XetToken> | null = null;

  constructor(hub: HubHttp, refreshUrl: string, now: () => number = Date.now) {
    if (!hub.isHubUrl(refreshUrl))
      throw new HubError('INTEGRITY', `The Hub pointed the Xet token at another host (${refreshUrl.slice(0, 100)}); Hubcap will not ask there.`);
    this.#hub = hub;
    this.#refreshUrl = refreshUrl;
    this.#now = now;
  }

  /** A token valid for at least REFRESH_MARGIN_MS; `stale` is one the CAS refused (fetch anew). */
  async get(signal: AbortSignal, stale?: XetToken): Promise<XetToken> {
    const t = this.#current;
    if (t && t !== stale && t.exp * 1000 - this.#now() > REFRESH_MARGIN_MS) return t;
    this.#pending ??= this.#fetch(signal).finally(() => (this.#pending = null));
    return this.#pending;
  }

  async #fetch(signal: AbortSignal): Promise<XetToken> {
    const res = await this.#hub.fetch(this.#refreshUrl, { signal, ctx: {} });
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    this.#current = parseToken(body, res.headers);
    return this.#current;
  }
}
