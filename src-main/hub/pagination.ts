/**
 * The Hub's GitHub-style pagination: `Link: <absolute url>; rel="next"`. The next page is only ever
 * fetched on the Hub's own origin, so a listing cannot send Hubcap (and its token) elsewhere.
 */
import { HubError } from './errors';
import type { HubHttp } from './http';
import { linkRel } from './link-header';

/** The rel="next" URL of a Link header, or null at the last page. */
export function nextLink(link: string | null): string | null {
  return linkRel(link, 'next');
}

/** The next page's URL on the Hub's origin, null at the end, or an error for a link elsewhere. */
export function nextPageUrl(res: Response, hub: HubHttp): string | null {
  const next = nextLink(res.headers.get('link'));
  if (next === null) return null;
  let url: URL;
  try {
    url = new URL(next, hub.endpoint);
  } catch {
    throw new HubError('SERVER_ERROR', 'The Hub sent a next-page link that is not a URL.');
  }
  if (!hub.isHubUrl(url.toString()))
    throw new HubError('SERVER_ERROR', `The Hub's next-page link points at another host (${url.host}); Hubcap does not follow it.`);
  return url.toString();
}
