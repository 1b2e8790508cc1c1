/**
 * Access rules for `hubcap serve`: a random per-start secret (URL once, then an HttpOnly cookie),
 * a Host allow-list against DNS rebinding, and a same-origin check against cross-site pages.
 * Pure functions, so each rule is unit-tested on its own.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';

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

export function sessionCookie(port: number, secret: string): string {
  return `${cookieName(port)}=${secret}; Path=/; HttpOnly; SameSite=Strict`;
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
