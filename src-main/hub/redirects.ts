/**
 * Following a redirect, once for the whole core: at most MAX_REDIRECTS hops, only to http(s), and
 * where the caller asks for it only within the same origin. "Relative" is judged on the resolved
 * URL, not the header's text: `//other-host/x` and `/\other-host/x` look relative and are not.
 */
import { HubError, type HubErrorDetails } from './errors';

export const MAX_REDIRECTS = 10;

export function resolveLocation(current: string, location: string): URL | null {
  try {
    const next = new URL(location, current);
    return next.protocol === 'http:' || next.protocol === 'https:' ? next : null;
  } catch {
    return null;
  }
}

/** Does this Location stay on the request's origin (a "relative" redirect in Python's sense)? */
export function staysOnOrigin(current: string, location: string): boolean {
  const next = resolveLocation(current, location);
  return next !== null && next.origin === new URL(current).origin;
}

/** The next URL to request, or a HubError saying why the redirect is not followed. */
export function nextHop(current: string, location: string, hop: number, opts: { anyOrigin?: boolean; details?: HubErrorDetails } = {}): string {
  // Asking again would meet the same redirect: these are never retried.
  const details = { ...opts.details, permanent: true };
  if (hop >= MAX_REDIRECTS) throw new HubError('SERVER_ERROR', `Too many redirects (more than ${MAX_REDIRECTS}) from ${new URL(current).host}.`, details);
  const next = resolveLocation(current, location);
  if (!next)
    throw new HubError(
      'SERVER_ERROR',
      `${new URL(current).host} redirected to an address Hubcap will not follow (${JSON.stringify(location.slice(0, 100))}).`,
      details,
    );
  if (!opts.anyOrigin && next.origin !== new URL(current).origin) {
    throw new HubError('SERVER_ERROR', `${new URL(current).host} redirected to another host (${next.host}), which this request does not follow.`, details);
  }
  return next.toString();
}
