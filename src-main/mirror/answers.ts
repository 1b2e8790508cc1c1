/**
 * How the mirror answers, in the Hub's shapes (docs/hub-protocol.md §4.1): errors with
 * `X-Error-Code`/`X-Error-Message` and a JSON `{error}`, JSON bodies with a strong ETag, and the
 * caching rule an HTTP cache in front relies on: commit-addressed answers of public repos are
 * immutable, branch-addressed ones live briefly, gated and private ones are never stored.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';

export type Visibility = 'public' | 'gated' | 'private';

/** Seconds a shared cache may keep a branch-addressed answer (a push moves the branch). */
export const BRANCH_MAX_AGE_S = 60;

export function cacheControl(visibility: Visibility, byCommit: boolean): string {
  if (visibility !== 'public') return 'private, no-store';
  return byCommit ? 'public, max-age=31536000, immutable' : `public, max-age=${BRANCH_MAX_AGE_S}`;
}

export function hubError(res: http.ServerResponse, status: number, code: string | null, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // A body the request still carries is drained, so the client is not cut off while sending it.
  res.req.resume();
  const body = JSON.stringify({ error: message });
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Error-Message': message.replace(/[^\x20-\x7e]/g, '?'),
    ...(code ? { 'X-Error-Code': code } : {}),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** The Hub's answer to a repo it does not show you: 401 anonymous, 404 with a token. */
export function repoNotFound(res: http.ServerResponse, authorized: boolean): void {
  hubError(res, authorized ? 404 : 401, 'RepoNotFound', 'Repository Not Found for url. Please make sure you specified the correct `repo_id` and `repo_type`.');
}

/** A strong validator for a representation: the same bytes, the same tag. */
export function strongEtag(value: string): string {
  return `"${value}"`;
}

/** Does If-None-Match (or If-Range) name this strong tag? `W/` tags never match strongly. */
export function etagMatches(header: string | undefined, etag: string, allowStar = true): boolean {
  if (!header) return false;
  if (allowStar && header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim() === etag);
}

export function sendJson(req: http.IncomingMessage, res: http.ServerResponse, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  const etag = strongEtag(createHash('sha256').update(text).digest('hex').slice(0, 40));
  const common = { ETag: etag, Vary: 'Accept-Encoding', ...headers };
  if (etagMatches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...common });
  res.end(req.method === 'HEAD' ? undefined : text);
}
