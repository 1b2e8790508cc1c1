/**
 * An HTTP `Link` header (RFC 8288) as the Hub sends it: `<url>; rel="next"` for pagination, and
 * `<url>; rel="xet-auth", <url>; rel="xet-reconstruction-info"` on a Xet file's resolve answer.
 */

/** The URL of the first link with relation `rel` (as written, unresolved), or null. */
export function linkRel(header: string | null, rel: string): string | null {
  if (!header || header.length > 16_384) return null;
  const wanted = new RegExp(`;\\s*rel="?${rel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?(\\s|;|$)`, 'i');
  for (const part of header.split(',')) {
    const m = /^\s*<([^>]*)>\s*((?:;[^;]*)*)$/.exec(part);
    if (m && wanted.test(m[2] ?? '')) return m[1] as string;
  }
  return null;
}
