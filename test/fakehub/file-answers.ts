/**
 * Files as the Hub serves them: `resolve` on the API origin (HEAD metadata, a 302 to the CDN for
 * LFS files with X-Linked-* headers, the xet-fileinfo form @huggingface/hub asks for, small files
 * in place) and the CDN origin's signed LFS links (refused once expired, as S3 and CloudFront do).
 */
import type http from 'node:http';
import type { Fault } from './faults';
import { hostile } from './fault-answers';
import { sendFile } from './file-body';
import { caller, checkRepo, findRepo, lfsBlobs, resolveOr404, type HubState } from './hub-state';
import { hubError } from './http-util';
import { XET_FILEINFO_TYPE } from './xet/hub-side';

/** GET or HEAD /{repo}/resolve/{rev}/{path} (datasets under /datasets/). */
export async function handleResolve(
  s: HubState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  at: { type: string; id: string; revRaw: string; pathRaw: string },
  hits: Fault[],
): Promise<void> {
  const { type, id, revRaw, pathRaw } = at;
  const repo = findRepo(s, type, id);
  if (!checkRepo(s, res, repo, caller(s, req), true)) return;
  const commit = resolveOr404(res, repo, decodeURIComponent(revRaw));
  if (!commit) return;
  const filePath = decodeURIComponent(pathRaw);
  const file = commit.files.get(filePath);
  if (!file) {
    hubError(res, 404, 'EntryNotFound', `${filePath} does not exist on "${revRaw}"`, { 'X-Repo-Commit': commit.sha });
    return;
  }
  if (file.lfs) {
    const xetHeaders = s.xet?.resolveHeaders(repo, file, commit.sha) ?? {};
    if (xetHeaders['X-Xet-Hash'] && (req.headers.accept ?? '').includes(XET_FILEINFO_TYPE)) {
      // @huggingface/hub asks for this form; the body's fields are not read by it (shape inferred).
      const body = JSON.stringify({ hash: xetHeaders['X-Xet-Hash'], size: file.content.size, etag: file.sha256 });
      res.writeHead(200, {
        'Content-Type': XET_FILEINFO_TYPE,
        'X-Repo-Commit': commit.sha,
        'X-Linked-Etag': `"${file.sha256}"`,
        'X-Linked-Size': String(file.content.size),
        ETag: `"${file.oid}"`,
        ...xetHeaders,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(302, {
      ...xetHeaders,
      Location: `${s.cdnUrl}/lfs/${file.sha256}?sig=${commit.sha.slice(0, 8)}&expires=${s.link.expiresAt()}`,
      'X-Repo-Commit': commit.sha,
      'X-Linked-Etag': `"${file.sha256}"`,
      'X-Linked-Size': String(file.content.size),
      ETag: `"${file.oid}"`,
      'Content-Length': '0',
    });
    res.end();
    return;
  }
  await sendFile(req, res, file.content, `"${file.oid}"`, { 'X-Repo-Commit': commit.sha }, hits, s.link);
}

/** The CDN origin: /lfs/{sha256} behind a signed, expiring link. */
export function answerCdn(s: HubState, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://cdn');
  const hits = s.faults.take('cdn', req.method ?? 'GET', url.pathname);
  const status = hits.find((f) => f.kind === 'status');
  if (status) {
    res.writeHead(status.status ?? 500, status.retryAfter !== undefined ? { 'Retry-After': String(status.retryAfter) } : {});
    res.end();
    return;
  }
  const m = /^\/lfs\/([0-9a-f]{64})$/.exec(url.pathname);
  const file = m ? lfsBlobs(s).get(m[1] as string) : undefined;
  void (async () => {
    await s.link.latency();
    // A signed link past its expiry is refused, as S3 and CloudFront do.
    const expires = Number(url.searchParams.get('expires') ?? 'NaN');
    if (Number.isFinite(expires) && expires < Date.now()) {
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      return;
    }
    if (await hostile(res, hits)) return;
    if (!file) {
      res.writeHead(404);
      res.end();
      return;
    }
    await sendFile(req, res, file.content, `"${file.sha256}"`, {}, hits, s.link);
  })().catch(() => res.destroy());
}
