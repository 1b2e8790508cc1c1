/**
 * Access rules for `hubcap serve`. Pure functions (and one small session book), each testable on
 * its own.
 *
 * - The key printed at start is traded, once, for two things: an HttpOnly cookie (random, not the
 *   key) that only lets the browser load the UI's files, and a session token handed to the page in
 *   the URL it is sent to, which the page keeps in localStorage. localStorage belongs to this
 *   origin (scheme, host and port); cookies do not, since browsers send them to every port of a
 *   host, so a page on 127.0.0.1:<other port> receives the cookie but never the session.
 * - Everything that acts (the WebSocket, uploads) needs the session and a same-origin Origin:
 *   a non-browser client replaying the cookie has neither.
 * - A Host allow-list against DNS rebinding; every request target parsed defensively.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { secretsEqual } from '../base/http-guards';
import { SESSION_PROTOCOL_PREFIX } from '../contract/wire';

export { isAllowedHost, parseHostHeader, parseTarget, secretsEqual } from '../base/http-guards';

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function cookieName(port: number): string {
  // One cookie per port: two `hubcap serve` instances on one host never share a session.
  return `hubcap_${port}`;
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The cookie that lets a browser load the UI's files (and nothing that acts). */
export function assetCookie(port: number, value: string): string {
  return `${cookieName(port)}=${value}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The session token from a Sec-WebSocket-Protocol header, if one is offered. */
export function sessionFromProtocols(header: string | undefined): string | null {
  for (const p of (header ?? '').split(',')) {
    const v = p.trim();
    if (v.startsWith(SESSION_PROTOCOL_PREFIX)) return v.slice(SESSION_PROTOCOL_PREFIX.length);
  }
  return null;
}

function mac(secret: string, what: string): string {
  return createHmac('sha256', secret).update(`hubcap:${what}`).digest('base64url');
}

/**
 * A session token minted from the key: `<nonce>.<HMAC(key, nonce)>`. Checking one needs nothing
 * but the key, so sessions end exactly when the key does (at the next start).
 */
export function mintSession(secret: string): string {
  const nonce = randomBytes(16).toString('base64url');
  return `${nonce}.${mac(secret, `session:${nonce}`)}`;
}

export function isSession(token: string | null | undefined, secret: string): boolean {
  const m = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token ?? '');
  return m !== null && secretsEqual(m[2], mac(secret, `session:${m[1]}`));
}

/** The asset cookie's value: derived from the key, never the key itself. */
export function assetCookieValue(secret: string): string {
  return mac(secret, 'asset-cookie');
}

/** An Origin (when the browser sends one) must be this very server. */
export function isSameOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  return origin === `http://${hostHeader ?? ''}`;
}

/** For requests that act: an Origin must be present, and ours. */
export function hasOwnOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
  return origin !== undefined && isSameOrigin(origin, hostHeader);
}
