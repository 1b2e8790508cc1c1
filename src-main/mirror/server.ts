/**
 * The mirror's HTTP server (#28): the read side of the Hub API that download clients use, answered
 * from the cache, behind the mirror key (the endpoint's first path segment) and the allow-list.
 * Read-only: nothing a client sends writes to the cache.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { secretsEqual } from '../base/http-guards';
import type { CacheScan } from '../cache/scan';
import { COMMIT_RE } from '../hub/repo-id';
import { ApiError } from '../contract/errors';
import type { MirrorAccess } from './access';
import type { AllowList } from './allow-list';
import { cacheControl, hubError, repoNotFound, sendJson, type Visibility } from './answers';
import { findCached, resolveCachedRevision, revisionFiles, type MirrorRevision } from './catalog';
import { answerFile } from './file-answer';
import { page, parsePathsBody, pathsInfo, repoInfo, treeEntries, TREE_PAGE, TREE_PAGE_EXPANDED } from './listings';
import { parseTarget, type MirrorRoute } from './routes';
import { MirrorStats, type MirrorStatsView } from './stats';
import { ClientBuckets } from './throttle';
import { openBlob } from './verified-blob';
import { PullThrough, type PullOptions } from './pull';
import { lacks, PullRoutes } from './pull-route';
import { nextPageUrl, readBody } from './request-parts';

export interface MirrorOptions {
  /** The cache as scanned; `fresh` after a pull-through wrote into it. */
  scan: (fresh?: boolean) => CacheScan;
  /** The key every request must start with; asked at each request, so a new key takes effect at once. */
  key: () => string;
  access: MirrorAccess;
  allow: AllowList;
  host: string;
  port: number;
  /** Bytes per second per client address; 0 for no limit. */
  rateLimit?: number;
  /** Pull-through of public repos the cache lacks (off when absent: the mirror serves what it holds). */
  pull?: Omit<PullOptions, 'onUpstreamBytes'>;
}

export interface Mirror {
  /** `http://host:port` as bound. */
  url: string;
  port: number;
  stats: () => MirrorStatsView;
  close: () => Promise<void>;
}

const truthy = (v: string | null) => v !== null && ['true', 'True', '1'].includes(v);

interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  rev: MirrorRevision;
  visibility: Visibility;
  cc: string;
  query: URLSearchParams;
  prefix: string;
  client: string;
}

/** A folder's listing, paged as the Hub pages it (a Link header to the next page). */
function answerTree(r: Extract<MirrorRoute, { kind: 'tree' }>, ctx: Ctx): void {
  const { req, res, rev, cc } = ctx;
  const entries = treeEntries(rev, r.folder, truthy(ctx.query.get('recursive')));
  if (!entries) return hubError(res, 404, 'EntryNotFound', `${r.folder} does not exist on "${r.revision}"`, { 'X-Repo-Commit': rev.commit });
  const size = truthy(ctx.query.get('expand')) ? TREE_PAGE_EXPANDED : TREE_PAGE;
  const p = page(entries, ctx.query.get('cursor'), size);
  if (!p) return hubError(res, 400, null, 'Invalid cursor.');
  const headers: Record<string, string> = { 'Cache-Control': cc, 'X-Repo-Commit': rev.commit };
  if (p.next) {
    const q = new URLSearchParams(ctx.query);
    q.set('cursor', p.next);
    const target = (req.url ?? '').slice(ctx.prefix.length).split('?')[0] as string;
    headers.Link = `<${nextPageUrl(req, ctx.prefix, `${target}?${q.toString()}`)}>; rel="next"`;
  }
  return sendJson(req, res, p.items, headers);
}

export async function startMirror(opts: MirrorOptions): Promise<Mirror> {
  const stats = new MirrorStats();
  const buckets = new ClientBuckets(opts.rateLimit ?? 0);
  const pull = opts.pull ? new PullThrough({ ...opts.pull, onUpstreamBytes: (n) => (stats.bytesUpstream += n) }) : null;
  const pulling = pull ? new PullRoutes({ pull, scan: opts.scan, buckets, stats }) : null;

  async function route(r: MirrorRoute, ctx: Ctx): Promise<void> {
    const { req, res, rev, cc } = ctx;
    if (r.kind === 'info') {
      const headers = { 'Cache-Control': r.byCommitUrl ? cc : cacheControl(ctx.visibility, false) };
      return sendJson(req, res, repoInfo(rev, ctx.visibility, truthy(ctx.query.get('blobs'))), headers);
    }
    if (r.kind === 'tree') return answerTree(r, ctx);
    if (r.kind === 'paths-info') {
      const body = await readBody(req);
      const paths = body === null ? null : parsePathsBody(body, req.headers['content-type']);
      if (!paths) return hubError(res, 400, null, 'Expected paths (form fields or JSON {"paths": [...]}).');
      return sendJson(req, res, pathsInfo(rev, paths), { 'Cache-Control': 'no-store', 'X-Repo-Commit': rev.commit });
    }
    const file = rev.files.find((f) => f.path === r.path);
    if (!file && rev.complete) return hubError(res, 404, 'EntryNotFound', `${r.path} does not exist on "${r.revision}"`, { 'X-Repo-Commit': rev.commit });
    if (!file?.blobPath)
      return hubError(res, 503, null, `${r.path} of ${rev.repo.id} is not held here; try again later.`, { 'X-Repo-Commit': rev.commit, 'Retry-After': '60' });
    const blob = file.blobPath;
    try {
      await answerFile(req, res, {
        file,
        commit: rev.commit,
        cacheControl: cc,
        open: () => openBlob(blob, file.etag, file.size, opts.scan().root),
        throttle: buckets.limited && req.method === 'GET' ? buckets.stream(ctx.client) : null,
        onBytes: (n) => (stats.bytesFromCache += n),
        onRefused: () => (stats.refusedBlobs += 1),
        ignoreRange: pulling?.marked(file.etag) ?? false,
      });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'INTEGRITY') stats.refusedBlobs += 1;
      hubError(res, 503, null, `${r.path} of ${rev.repo.id} cannot be served from here now (${error instanceof ApiError ? error.code : 'read error'}).`);
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const client = req.socket.remoteAddress ?? '';
    stats.saw(client);
    const parsed = parseTarget(req.url);
    // Outside the allow-list or without the key, the answer is the Hub's plain 404: nothing says a mirror is here.
    if (!opts.allow(client) || !parsed.ok || !secretsEqual(parsed.key, opts.key())) {
      if (parsed.ok || parsed.reason === 'no key') return hubError(res, 404, null, 'Not Found');
      return hubError(res, 400, null, 'Malformed path.');
    }
    const r = parsed.route;
    if (!r) return hubError(res, 404, null, 'Not Found');
    const allowed = r.kind === 'paths-info' ? ['POST'] : ['GET', 'HEAD'];
    if (!allowed.includes(req.method ?? '')) return hubError(res, 405, null, 'This mirror is read-only.', { Allow: allowed.join(', ') });
    const authorized = req.headers.authorization !== undefined;
    // Pulling through, a branch is what the Hub says now (remembered briefly), else the cache's ref.
    const upstream = pull ? await pull.commitOf(r.repo, r.revision) : null;
    let cached = findCached(opts.scan(), r.repo);
    let commit = upstream ?? (cached ? resolveCachedRevision(cached, r.revision) : null);
    let rev = cached && commit ? revisionFiles(cached, commit) : null;
    let visibility: Visibility | null = null;
    if (pull && lacks(r, rev)) {
      visibility = await opts.access.visibility(r.repo);
      // Public repos only: a gated or private one would be fetched on the owner's token.
      if (visibility === 'public') {
        if (pulling && !(await pulling.through(r, req, res, parsed.prefix, commit, client))) return;
        cached = findCached(opts.scan(true), r.repo);
        commit ??= cached ? resolveCachedRevision(cached, r.revision) : null;
        rev = cached && commit ? revisionFiles(cached, commit) : null;
      }
    }
    // Not pulled (a gated or private repo, or the Hub unsure): the cache's own ref answers.
    if (!rev && cached && upstream && !COMMIT_RE.test(r.revision)) {
      commit = resolveCachedRevision(cached, r.revision);
      rev = commit ? revisionFiles(cached, commit) : null;
    }
    if (!cached) return repoNotFound(res, authorized);
    if (!rev) return hubError(res, 404, 'RevisionNotFound', `Invalid rev id: ${r.revision}`);
    visibility ??= await opts.access.visibility(r.repo);
    if (!visibility) return hubError(res, 503, null, `Whether ${r.repo.id} is public is checked with the Hub, which cannot be reached now.`);
    // A gated repo's listings are public on the Hub, its files are not; a private repo shows nothing.
    if (visibility === 'private' || (visibility === 'gated' && r.kind === 'resolve')) {
      const grant = await opts.access.grant(r.repo, rev.commit, r.kind === 'resolve' ? r.path : null, req.headers.authorization);
      if (!grant.ok) return hubError(res, grant.status, grant.code, grant.message);
    }
    const cc = cacheControl(visibility, COMMIT_RE.test(r.revision));
    await route(r, { req, res, rev, visibility, cc, query: parsed.query, prefix: parsed.prefix, client });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => hubError(res, 500, null, 'Internal error.'));
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  server.on('connection', (socket) => {
    stats.connected += 1;
    socket.on('close', () => (stats.connected -= 1));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostPart}:${port}`,
    port,
    stats: () => stats.view(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
