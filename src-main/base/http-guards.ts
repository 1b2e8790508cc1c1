/**
 * Guards every local HTTP server of Hubcap shares (`hubcap serve`, the local OpenAI-compatible
 * API): a Host allow-list against DNS rebinding, a defensive request-target parser, and a
 * constant-time secret comparison. Pure functions.
 */
import { timingSafeEqual } from 'node:crypto';
import net from 'node:net';

export function secretsEqual(given: string | null | undefined, secret: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
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
