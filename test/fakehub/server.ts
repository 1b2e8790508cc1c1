/**
 * A local server faithful to the Hugging Face Hub for what Hubcap uses (see
 * docs/hub-protocol.md §7): two origins (API and "CDN"), resolve with HEAD metadata and
 * 302 redirects for LFS files, Range/206, model info, tree and paths-info with pagination, model
 * search with Link-header pagination, whoami-v2, gated and private repos with the real status codes
 * and X-Error-Code values, fault knobs, and the write side (uploads.ts) with a third origin, the
 * upload host.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Link, type LinkShape } from './link';
import { FaultBook, type Fault } from './faults';
import { history, pushCommit, resolveRevision, type CommitSpec, type FakeCommit, type FakeFile, type FakeRepo, type FakeToken } from './model';
import type { Content } from './content';
import { hubError, json, readBody } from './http-util';
import { createUploads, type UploadOptions } from './uploads';
import { startXetHub, XET_FILEINFO_TYPE, type XetHub, type XetHubOptions } from './xet/hub-side';

export type Origin = 'api' | 'cdn' | 'upload';

export interface LoggedRequest {
  origin: Origin;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Bytes written to the socket for this answer (headers included), once it is over. */
  bytes?: number;
}

/** Logs a request and, when its answer is over, how many bytes went out for it. */
function logRequest(log: LoggedRequest[], origin: Origin, req: http.IncomingMessage, res: http.ServerResponse): void {
  const entry: LoggedRequest = { origin, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
  log.push(entry);
  const socket = req.socket;
  const before = socket.bytesWritten;
  res.once('close', () => (entry.bytes = socket.bytesWritten - before));
}

export interface FakeHubOptions {
  repos?: FakeRepo[];
  tokens?: Record<string, FakeToken>;
  /** repo id → users granted access to a gated repo. */
  gatedAccess?: Record<string, string[]>;
  treePageSize?: number;
  port?: number;
  cdnPort?: number;
  uploadPort?: number;
  /**
   * The CDN's and upload host's address (default 127.0.0.1). huggingface_hub ≥ 2.0 follows a
   * redirect to the same host name even on another port, as it would within the Hub; give another
   * loopback address (127.0.0.2 on Linux) to make them other hosts for it, as the real CDN is.
   */
  storageHost?: string;
  /** Upload knobs: multipart threshold and part size, a size refusal. */
  uploads?: UploadOptions;
  /** Accept POST /__fakehub/faults (JSON Fault) and DELETE to clear, and POST /__fakehub/link (JSON LinkShape), for use from the command line. */
  adminFaults?: boolean;
  /** A far link: rate caps, first-byte latency, stalls, expiring signed links (link.ts). */
  link?: LinkShape;
  /** Store LFS files in Xet: a CAS on the storage host, Xet metadata on the Hub (xet/hub-side.ts). */
  xet?: XetHubOptions;
}

export interface FakeHub {
  url: string;
  cdnUrl: string;
  /** The storage host LFS uploads go to (a third origin: the Hub token must never reach it). */
  uploadUrl: string;
  /** sha256 of the LFS objects the upload host holds. */
  storedObjects(): Set<string>;
  repos: Map<string, FakeRepo>;
  tokens: Map<string, FakeToken>;
  gatedAccess: Map<string, Set<string>>;
  faults: FaultBook;
  /** The link's shape, changeable while running. */
  link: Link;
  /** The Xet side (CAS, its knobs and log), when started with `xet`. */
  xet: XetHub | null;
  log: LoggedRequest[];
  addRepo(repo: FakeRepo): void;
  grantAccess(repoId: string, user: string): void;
  /** A push at run time (a model's author fixing it): a new commit on `branch`; with `onto`, a force-push. */
  push(repoId: string, spec: CommitSpec, opts?: { branch?: string; onto?: string }): FakeCommit;
  /** The repo is deleted on the Hub. */
  removeRepo(repoId: string): void;
  /** The repo becomes gated (or stops being). */
  gate(repoId: string, mode: FakeRepo['gated']): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Hostile answers that replace or bend the normal one: returns true when the request is answered.
 * `headers` bends whatever answer follows (set, or remove with null).
 */
async function hostile(res: http.ServerResponse, hits: Fault[]): Promise<boolean> {
  const headers = hits.find((f) => f.kind === 'headers');
  if (headers?.set) {
    const original = res.writeHead.bind(res) as (status: number, h?: Record<string, unknown>) => http.ServerResponse;
    (res as { writeHead: unknown }).writeHead = (status: number, h: Record<string, unknown> = {}) => {
      const overrides = Object.entries(headers.set ?? {});
      const kept = Object.entries(h).filter(([k]) => !overrides.some(([o]) => o.toLowerCase() === k.toLowerCase()));
      return original(status, Object.fromEntries([...kept, ...overrides.filter(([, v]) => v !== null)]));
    };
  }
  const redirect = hits.find((f) => f.kind === 'redirect');
  if (redirect) {
    res.writeHead(redirect.status ?? 302, { Location: redirect.location ?? '/' });
    res.end();
    return true;
  }
  const huge = hits.find((f) => f.kind === 'hugeBody');
  if (huge) {
    res.writeHead(huge.status ?? 200, { 'Content-Type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let left = huge.bytes ?? 1 << 30;
    let closed = false;
    let wake: (() => void) | null = null;
    res.once('close', () => {
      closed = true;
      wake?.();
    });
    res.on('drain', () => wake?.());
    while (left > 0 && !closed) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) await new Promise<void>((r) => (wake = r));
    }
    res.end();
    return true;
  }
  return false;
}

type Range = { start: number; end: number } | 'unsatisfiable' | null;

export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Number(b);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** Streams [start, end] of a file, applying drop/stall/corrupt/throttle faults and the link's shape. */
async function sendBody(res: http.ServerResponse, content: Content, start: number, end: number, faults: Fault[], link: Link): Promise<void> {
  const drop = faults.find((f) => f.kind === 'drop');
  const stall = faults.find((f) => f.kind === 'stall');
  const corrupt = faults.find((f) => f.kind === 'corrupt');
  const throttle = faults.find((f) => f.kind === 'throttle');
  const closed = new Promise<void>((r) => res.once('close', () => r()));
  let aborted = false;
  void closed.then(() => (aborted = true));
  const pace = link.pacer();
  void closed.then(link.opened());
  const chunkSize = throttle?.bytesPerSecond ? Math.max(1024, Math.floor(throttle.bytesPerSecond / 20)) : link.chunkBytes(256 * 1024);
  const linkStall = link.stallPoint(end + 1 - start);
  let sent = 0;
  let pos = start;
  while (pos <= end && !aborted) {
    let n = Math.min(chunkSize, end + 1 - pos);
    const cut = drop?.afterBytes ?? stall?.afterBytes ?? linkStall ?? undefined;
    if (cut !== undefined && sent + n >= cut) n = Math.max(0, cut - sent);
    let buf = content.read(pos, pos + n);
    if (corrupt && corrupt.offset !== undefined && corrupt.offset >= pos && corrupt.offset < pos + n) {
      buf = Buffer.from(buf);
      buf[corrupt.offset - pos] = (buf[corrupt.offset - pos] as number) ^ 0xff;
    }
    if (n > 0) await pace(n);
    if (n > 0 && !aborted && !res.write(buf)) await Promise.race([once(res, 'drain'), closed]);
    sent += n;
    pos += n;
    if (cut !== undefined && sent >= cut) {
      if (drop) {
        res.socket?.destroy();
        return;
      }
      await closed; // stall: keep the connection open, send nothing more
      return;
    }
    if (throttle?.bytesPerSecond) await sleep((n / throttle.bytesPerSecond) * 1000);
  }
  if (!aborted) res.end();
}

export async function startFakeHub(opts: FakeHubOptions = {}): Promise<FakeHub> {
  const repos = new Map<string, FakeRepo>();
  for (const r of opts.repos ?? []) repos.set(`${r.type}:${r.id}`, r);
  const tokens = new Map(Object.entries(opts.tokens ?? {}));
  const gatedAccess = new Map<string, Set<string>>(Object.entries(opts.gatedAccess ?? {}).map(([k, v]) => [k, new Set(v)]));
  const faults = new FaultBook();
  const link = new Link(opts.link);
  const log: LoggedRequest[] = [];
  const treePageSize = opts.treePageSize ?? 1000;
  let apiUrl = '';
  let cdnUrl = '';
  let uploadUrl = '';
  let xet: XetHub | null = null;

  /** LFS objects by sha256, served by the CDN origin. */
  const blobs = () => {
    const m = new Map<string, FakeFile>();
    for (const r of repos.values()) for (const c of r.commits) for (const f of c.files.values()) if (f.lfs) m.set(f.sha256, f);
    return m;
  };

  const findRepo = (type: string, id: string) => repos.get(`${type}:${id}`);
  const repoOrThrow = (id: string): FakeRepo => {
    const repo = findRepo('model', id) ?? findRepo('dataset', id);
    if (!repo) throw new Error(`no repo ${id}`);
    return repo;
  };

  /** Who is calling: null (anonymous), a token, or 'invalid'. */
  const caller = (req: http.IncomingMessage): FakeToken | null | 'invalid' => {
    const auth = req.headers.authorization;
    if (!auth) return null;
    const m = /^Bearer (.+)$/.exec(auth);
    const t = m ? tokens.get(m[1] as string) : undefined;
    return t ?? 'invalid';
  };

  const canSee = (repo: FakeRepo, who: FakeToken | null) =>
    !repo.private || (who !== null && (who.user === repo.author || (who.orgs ?? []).includes(repo.author)));

  const uploads = createUploads({
    repos,
    caller,
    canSee,
    apiUrl: () => apiUrl,
    uploadUrl: () => uploadUrl,
    takeFaults: (method, p) => faults.take('upload', method, p),
    options: opts.uploads ?? {},
    xet: () => (xet ? { uploads: xet.uploads, casUrl: xet.cas.url } : null),
  });

  /** Common checks for repo access; returns false when an error response was sent. */
  const checkRepo = (res: http.ServerResponse, repo: FakeRepo | undefined, who: FakeToken | null | 'invalid', forFiles: boolean): repo is FakeRepo => {
    if (who === 'invalid') {
      hubError(res, 401, null, 'Invalid credentials in Authorization header');
      return false;
    }
    if (!repo || !canSee(repo, who)) {
      hubError(res, who ? 404 : 401, 'RepoNotFound', 'Repository Not Found for url. Please make sure you specified the correct `repo_id` and `repo_type`.');
      return false;
    }
    if (forFiles && repo.gated) {
      const url = `${apiUrl}/${repo.id}`;
      if (!who) {
        hubError(
          res,
          401,
          'GatedRepo',
          `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
        );
        return false;
      }
      const granted = gatedAccess.get(repo.id)?.has(who.user) ?? false;
      const fineGrainedBlocked = who.role === 'fineGrained' && !who.fineGrained?.canReadGatedRepos;
      if (!granted || fineGrainedBlocked) {
        hubError(res, 403, 'GatedRepo', `Access to model ${repo.id} is restricted and you are not in the authorized list. Visit ${url} to ask for access.`);
        return false;
      }
    }
    return true;
  };

  const resolveOr404 = (res: http.ServerResponse, repo: FakeRepo, rev: string): FakeCommit | null => {
    const commit = resolveRevision(repo, rev);
    if (!commit) hubError(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
    return commit;
  };

  const treeEntry = (f: FakeFile, expand: boolean, hits: Fault[], repo: FakeRepo) => ({
    type: 'file',
    oid: f.oid,
    size: f.content.size,
    path: f.path,
    ...(f.lfs ? { lfs: { oid: f.sha256, size: f.content.size, pointerSize: 134 } } : {}),
    ...(xet ? xet.treeFields(repo, f) : {}),
    ...(expand ? { lastCommit: f.lastCommit, securityFileStatus: { status: 'safe' } } : {}),
    ...(hits.find((h) => h.kind === 'treeEntry')?.set ?? {}),
  });

  const dirsOf = (commit: FakeCommit) => {
    const dirs = new Set<string>();
    for (const p of commit.files.keys()) {
      const parts = p.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    return dirs;
  };

  const modelInfo = (repo: FakeRepo, commit: FakeCommit, blobsToo: boolean) => ({
    _id: `id-${repo.id}`,
    id: repo.id,
    modelId: repo.id,
    author: repo.author,
    sha: commit.sha,
    private: repo.private,
    gated: repo.gated,
    disabled: repo.disabled,
    downloads: repo.downloads,
    likes: repo.likes,
    trendingScore: repo.trendingScore,
    lastModified: repo.lastModified,
    createdAt: repo.createdAt,
    library_name: repo.libraryName,
    pipeline_tag: repo.pipelineTag,
    tags: repo.tags,
    cardData: {},
    ...(repo.gguf ? { gguf: repo.gguf } : {}),
    siblings: [...commit.files.values()].map((f) => ({
      rfilename: f.path,
      ...(blobsToo ? { size: f.content.size, blobId: f.oid, ...(f.lfs ? { lfs: { sha256: f.sha256, size: f.content.size, pointerSize: 134 } } : {}) } : {}),
    })),
    spaces: [],
    usedStorage: [...commit.files.values()].reduce((a, f) => a + f.content.size, 0),
    xetEnabled: xet !== null,
  });

  const handleResolve = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    type: string,
    id: string,
    revRaw: string,
    pathRaw: string,
    hits: Fault[],
  ) => {
    const repo = findRepo(type, id);
    if (!checkRepo(res, repo, caller(req), true)) return;
    const commit = resolveOr404(res, repo, decodeURIComponent(revRaw));
    if (!commit) return;
    const filePath = decodeURIComponent(pathRaw);
    const file = commit.files.get(filePath);
    if (!file) {
      hubError(res, 404, 'EntryNotFound', `${filePath} does not exist on "${revRaw}"`, { 'X-Repo-Commit': commit.sha });
      return;
    }
    if (file.lfs) {
      const xetHeaders = xet?.resolveHeaders(repo, file, commit.sha) ?? {};
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
        Location: `${cdnUrl}/lfs/${file.sha256}?sig=${commit.sha.slice(0, 8)}&expires=${link.expiresAt()}`,
        'X-Repo-Commit': commit.sha,
        'X-Linked-Etag': `"${file.sha256}"`,
        'X-Linked-Size': String(file.content.size),
        ETag: `"${file.oid}"`,
        'Content-Length': '0',
      });
      res.end();
      return;
    }
    await sendFile(req, res, file.content, `"${file.oid}"`, { 'X-Repo-Commit': commit.sha }, hits);
  };

  const sendFile = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    content: Content,
    etag: string,
    extra: Record<string, string>,
    hits: Fault[],
  ) => {
    const range = hits.some((f) => f.kind === 'ignoreRange') ? null : parseRange(req.headers.range, content.size);
    const base = { ETag: etag, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream', ...extra };
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...base, 'Content-Range': `bytes */${content.size}` });
      res.end();
      return;
    }
    const start = range ? range.start : 0;
    const end = range ? range.end : content.size - 1;
    const headers = { ...base, 'Content-Length': String(Math.max(0, end - start + 1)) };
    if (range) res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${content.size}` });
    else res.writeHead(200, headers);
    if (req.method === 'HEAD' || content.size === 0) {
      res.end();
      return;
    }
    await sendBody(res, content, start, end, hits, link);
  };

  const paginate = <T>(req: http.IncomingMessage, res: http.ServerResponse, items: T[], pageSize: number, origin: string, hits: Fault[] = []) => {
    const url = new URL(req.url ?? '/', origin);
    const cursor = Number(url.searchParams.get('cursor') ?? '0') || 0;
    const page = items.slice(cursor, cursor + pageSize);
    const headers: Record<string, string> = {};
    if (cursor + pageSize < items.length || hits.some((f) => f.kind === 'endlessPages')) {
      url.searchParams.set('cursor', String(cursor + pageSize));
      headers.Link = `<${url.toString()}>; rel="next"`;
    }
    json(res, 200, page, headers);
  };

  const handleApi = async (req: http.IncomingMessage, res: http.ServerResponse, path: string, url: URL, hits: Fault[]) => {
    if (path === '/api/whoami-v2') {
      const who = caller(req);
      if (who === null || who === 'invalid') {
        hubError(res, 401, null, who === null ? 'Unauthorized' : 'Invalid credentials in Authorization header');
        return;
      }
      const entry = [...tokens.entries()].find(([, t]) => t === who);
      json(res, 200, {
        type: 'user',
        id: `user-${who.user}`,
        name: who.user,
        fullname: who.user.toUpperCase(),
        email: `${who.user}@example.test`,
        emailVerified: true,
        isPro: false,
        canPay: false,
        avatarUrl: `/avatars/${who.user}.svg`,
        orgs: (who.orgs ?? []).map((o) => ({ type: 'org', id: `org-${o}`, name: o, fullname: o })),
        auth: {
          type: 'access_token',
          accessToken: {
            displayName: who.displayName,
            role: who.role,
            createdAt: '2026-01-01T00:00:00.000Z',
            ...(who.fineGrained ? { fineGrained: who.fineGrained } : {}),
          },
        },
        _tokenHint: entry ? 'known' : 'unknown',
      });
      return;
    }
    const list = /^\/api\/(models|datasets)$/.exec(path);
    if (list) {
      const who = caller(req);
      if (who === 'invalid') return hubError(res, 401, null, 'Invalid credentials in Authorization header');
      const type = list[1] === 'models' ? 'model' : 'dataset';
      const search = (url.searchParams.get('search') ?? '').toLowerCase();
      const author = url.searchParams.get('author');
      const filters = url.searchParams.getAll('filter').flatMap((f) => f.split(','));
      const pipelineTag = url.searchParams.get('pipeline_tag');
      const sort = url.searchParams.get('sort') ?? 'trendingScore';
      const limit = Math.min(Number(url.searchParams.get('limit') ?? '30') || 30, 1000);
      const items = [...repos.values()]
        .filter((r) => r.type === type && canSee(r, who))
        .filter((r) => !search || r.id.toLowerCase().includes(search))
        .filter((r) => !author || r.author === author)
        .filter((r) => filters.every((f) => r.tags.includes(f) || r.libraryName === f || r.pipelineTag === f))
        .filter((r) => !pipelineTag || r.pipelineTag === pipelineTag)
        .sort((a, b) => {
          const key = (r: FakeRepo): number | string =>
            sort === 'downloads'
              ? r.downloads
              : sort === 'likes'
                ? r.likes
                : sort === 'lastModified'
                  ? r.lastModified
                  : sort === 'createdAt'
                    ? r.createdAt
                    : r.trendingScore;
          const ka = key(a);
          const kb = key(b);
          return ka < kb ? 1 : ka > kb ? -1 : a.id.localeCompare(b.id);
        })
        .map((r) => {
          const head = resolveRevision(r, 'main') as FakeCommit;
          const info = modelInfo(r, head, false);
          return {
            _id: info._id,
            id: info.id,
            author: info.author,
            downloads: info.downloads,
            likes: info.likes,
            trendingScore: info.trendingScore,
            private: info.private,
            gated: info.gated,
            lastModified: info.lastModified,
            createdAt: info.createdAt,
            pipeline_tag: info.pipeline_tag,
            library_name: info.library_name,
            tags: info.tags,
            ...(r.gguf ? { gguf: r.gguf } : {}),
          };
        });
      return paginate(req, res, items, limit, apiUrl, hits);
    }
    // GET /api/{type}s/{repo}/commits/{rev}: the history from rev, newest first, 50 a page (the Hub's shape).
    const commitsMatch = /^\/api\/(models|datasets)\/(.+?)\/commits\/([^/]+)$/.exec(path);
    if (commitsMatch) {
      const repo = findRepo(commitsMatch[1] === 'models' ? 'model' : 'dataset', commitsMatch[2] as string);
      if (!checkRepo(res, repo, caller(req), false)) return;
      const head = resolveOr404(res, repo, decodeURIComponent(commitsMatch[3] as string));
      if (!head) return;
      const items = history(repo, head).map((c) => ({
        id: c.sha,
        title: c.title,
        message: `${c.title}\n`,
        date: c.date,
        authors: [{ user: repo.author || 'hub', avatar: `/avatars/${repo.author || 'hub'}.svg` }],
      }));
      return paginate(req, res, items, 50, apiUrl, hits);
    }
    const refsMatch = /^\/api\/(models|datasets)\/(.+?)\/refs$/.exec(path);
    if (refsMatch) {
      const repo = findRepo(refsMatch[1] === 'models' ? 'model' : 'dataset', refsMatch[2] as string);
      if (!checkRepo(res, repo, caller(req), false)) return;
      const isTag = (name: string) => name !== 'main' && /^v?\d/.test(name);
      const all = [...repo.refs.entries()];
      const entries = all
        .filter(([name]) => !name.startsWith('refs/pr/'))
        .map(([name, sha]) => ({ name, ref: `refs/${isTag(name) ? 'tags' : 'heads'}/${name}`, targetCommit: sha }));
      const prs = all
        .filter(([name]) => name.startsWith('refs/pr/'))
        .map(([name, sha]) => ({ name: name.slice('refs/pr/'.length), ref: name, targetCommit: sha }));
      const includePrs = url.searchParams.get('include_prs') === '1' || url.searchParams.get('include_prs') === 'true';
      return json(res, 200, {
        branches: entries.filter((e) => !isTag(e.name)),
        tags: entries.filter((e) => isTag(e.name)),
        converts: [],
        ...(includePrs ? { pullRequests: prs } : {}),
      });
    }
    const m = /^\/api\/(models|datasets)\/(.+?)(?:\/(revision|tree|paths-info)\/([^/]+)(\/.*)?)?$/.exec(path);
    if (!m) return hubError(res, 404, null, 'Not Found');
    const [, kind, id, op, revRaw, rest] = m as unknown as [string, string, string, string | undefined, string | undefined, string | undefined];
    const type = kind === 'models' ? 'model' : 'dataset';
    const repo = findRepo(type, id);
    const who = caller(req);
    if (!checkRepo(res, repo, who, false)) return;
    const commit = resolveOr404(res, repo, decodeURIComponent(revRaw ?? 'main'));
    if (!commit) return;
    if (!op || op === 'revision') {
      return json(res, 200, modelInfo(repo, commit, url.searchParams.get('blobs') === 'true'));
    }
    if (op === 'tree') {
      const expand = url.searchParams.get('expand') === 'true';
      const recursive = url.searchParams.get('recursive') === 'true';
      const folder = rest ? decodeURIComponent(rest.slice(1)).replace(/\/$/, '') : '';
      const dirs = dirsOf(commit);
      if (folder && !dirs.has(folder)) return hubError(res, 404, 'EntryNotFound', `${folder} does not exist`, { 'X-Repo-Commit': commit.sha });
      const prefix = folder ? `${folder}/` : '';
      const inScope = (p: string) => p.startsWith(prefix) && (recursive || !p.slice(prefix.length).includes('/'));
      const entries = [
        ...[...dirs].filter(inScope).map((d) => ({ type: 'directory', oid: folderOid(d), size: 0, path: d })),
        ...[...commit.files.values()].filter((f) => inScope(f.path)).map((f) => treeEntry(f, expand, hits, repo)),
      ].sort((a, b) => a.path.localeCompare(b.path));
      return paginate(req, res, entries, expand ? Math.min(50, treePageSize) : treePageSize, apiUrl, hits);
    }
    if (op === 'paths-info' && req.method === 'POST') {
      const body = await readBody(req);
      let paths: string[] = [];
      let expand = false;
      if ((req.headers['content-type'] ?? '').includes('application/json')) {
        const parsed = JSON.parse(body || '{}') as { paths?: string[]; expand?: boolean };
        paths = parsed.paths ?? [];
        expand = parsed.expand === true;
      } else {
        const form = new URLSearchParams(body);
        paths = form.getAll('paths');
        expand = form.get('expand') === 'true';
      }
      const out = paths
        .map((p) => commit.files.get(p))
        .filter((f): f is FakeFile => Boolean(f))
        .map((f) => treeEntry(f, expand, hits, repo));
      return json(res, 200, out);
    }
    return hubError(res, 404, null, 'Not Found');
  };

  const api = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fakehub');
    logRequest(log, 'api', req, res);
    const hits = faults.take('api', req.method ?? 'GET', url.pathname);
    void (async () => {
      const status = hits.find((f) => f.kind === 'status');
      if (status) {
        const headers: Record<string, string> = {};
        if (status.retryAfter !== undefined) headers['Retry-After'] = String(status.retryAfter);
        if (status.status === 429) headers.RateLimit = `"api";r=0;t=${status.retryAfter ?? 1}`;
        return hubError(res, status.status ?? 500, null, `Injected ${status.status ?? 500}`, headers);
      }
      if (url.pathname === '/__fakehub/faults' && opts.adminFaults) {
        if (req.method === 'DELETE') faults.clear();
        else faults.add(JSON.parse((await readBody(req)) || '{}') as Fault);
        return json(res, 200, { ok: true });
      }
      if (url.pathname === '/__fakehub/link' && opts.adminFaults) {
        link.set(JSON.parse((await readBody(req)) || '{}') as LinkShape);
        return json(res, 200, { ok: true, shape: link.shape });
      }
      await link.latency();
      if (await hostile(res, hits)) return;
      const xetAccess = {
        open: (r: http.ServerResponse, type: 'model' | 'dataset', id: string, rev: string) => {
          const repo = findRepo(type, id);
          return checkRepo(r, repo, caller(req), true) && resolveOr404(r, repo, rev) !== null;
        },
      };
      if (xet?.handleApi(req, res, url.pathname, xetAccess)) return;
      if (await uploads.handleApi(req, res, url)) return;
      if (url.pathname.startsWith('/api/')) return handleApi(req, res, url.pathname, url, hits);
      const r = /^\/(?:(datasets)\/)?(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
      if (r && (req.method === 'GET' || req.method === 'HEAD')) {
        return handleResolve(req, res, r[1] ? 'dataset' : 'model', r[2] as string, r[3] as string, r[4] as string, hits);
      }
      if (url.pathname === '/' && (req.method === 'HEAD' || req.method === 'GET')) {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        return res.end(req.method === 'HEAD' ? undefined : '<!doctype html><title>fakehub</title>');
      }
      return hubError(res, 404, null, 'Not Found');
    })().catch((e: unknown) => {
      if (!res.headersSent) hubError(res, 500, null, String(e));
      else res.destroy();
    });
  });

  const cdn = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://cdn');
    logRequest(log, 'cdn', req, res);
    const hits = faults.take('cdn', req.method ?? 'GET', url.pathname);
    const status = hits.find((f) => f.kind === 'status');
    if (status) {
      res.writeHead(status.status ?? 500, status.retryAfter !== undefined ? { 'Retry-After': String(status.retryAfter) } : {});
      res.end();
      return;
    }
    const m = /^\/lfs\/([0-9a-f]{64})$/.exec(url.pathname);
    const file = m ? blobs().get(m[1] as string) : undefined;
    void (async () => {
      await link.latency();
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
      await sendFile(req, res, file.content, `"${file.sha256}"`, {}, hits);
    })().catch(() => res.destroy());
  });

  const upload = http.createServer((req, res) => {
    logRequest(log, 'upload', req, res);
    uploads.handleUpload(req, res).catch((e: unknown) => {
      if (!res.headersSent) hubError(res, 500, null, String(e));
      else res.destroy();
    });
  });

  await new Promise<void>((r) => api.listen(opts.port ?? 0, '127.0.0.1', r));
  const storageHost = opts.storageHost ?? '127.0.0.1';
  await new Promise<void>((r) => cdn.listen(opts.cdnPort ?? 0, storageHost, r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  cdnUrl = `http://${storageHost}:${(cdn.address() as AddressInfo).port}`;
  await new Promise<void>((r) => upload.listen(opts.uploadPort ?? 0, storageHost, r));
  uploadUrl = `http://${storageHost}:${(upload.address() as AddressInfo).port}`;
  if (opts.xet) xet = await startXetHub(opts.xet, storageHost, link, () => apiUrl, repos.values());

  return {
    url: apiUrl,
    cdnUrl,
    uploadUrl,
    storedObjects: uploads.stored,
    repos,
    tokens,
    gatedAccess,
    faults,
    link,
    xet,
    log,
    addRepo: (repo) => repos.set(`${repo.type}:${repo.id}`, repo),
    push: (repoId, spec, pushOpts) => pushCommit(repoOrThrow(repoId), spec, pushOpts),
    removeRepo: (repoId) => {
      if (!repos.delete(`model:${repoId}`) && !repos.delete(`dataset:${repoId}`)) throw new Error(`no repo ${repoId}`);
    },
    gate: (repoId, mode) => {
      repoOrThrow(repoId).gated = mode;
    },
    grantAccess: (repoId, user) => {
      const set = gatedAccess.get(repoId) ?? new Set<string>();
      set.add(user);
      gatedAccess.set(repoId, set);
    },
    close: async () => {
      for (const s of [api, cdn, upload]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
      uploads.close();
      await xet?.close();
    },
  };
}

function folderOid(s: string): string {
  // Folder oids only need to look like git ids.
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(40, '0');
}
