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
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { SESSION_PROTOCOL_PREFIX } from '../contract/wire';

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function cookieName(port: number): string {
  // One cookie per port: two `hubcap serve` instances on one host never share a session.
  return `hubcap_${port}`;
}

export function secretsEqual(given: string | null | undefined, secret: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
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

function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1';
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Splits a Host header into name and port ("[::1]:80" → "[::1]", 80). */
export function parseHostHeader(value: string | undefined): { name: string; port: number | null } | null {
  if (!value) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return null;
  return { name: (m[1] as string).toLowerCase(), port: m[2] ? Number(m[2]) : null };
}

/**
 * Which Host headers are ours. Loopback names always; the `--host` name when given. When bound to
 * every interface we cannot know the machine's names, so we accept IP literals only: DNS
 * rebinding needs a domain name, so an IP literal Host cannot be a rebinding attack.
 */
export function isAllowedHost(value: string | undefined, bindHost: string, port: number): boolean {
  const parsed = parseHostHeader(value);
  if (!parsed || parsed.port !== port) return false;
  const { name } = parsed;
  if (isLoopbackName(name)) return true;
  const bare = name.replace(/^\[|\]$/g, '');
  if (name === bindHost.toLowerCase() || bare === bindHost.toLowerCase()) return true;
  return isWildcard(bindHost) && net.isIP(bare) !== 0;
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

/**
 * The request target as a path and query, or null for anything that is not an origin-form target
 * (`//[`, `http://x/`, `*`, bytes URL cannot parse): those get a 400, never an exception.
 */
export function parseTarget(target: string | undefined): URL | null {
  if (!target || target[0] !== '/' || target.startsWith('//') || target.length > 8192) return null;
  try {
    return new URL(target, 'http://hubcap.invalid');
  } catch {
    return null;
  }
}
