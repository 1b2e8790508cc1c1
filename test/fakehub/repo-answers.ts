/**
 * The Hub's answers about one repo (docs/hub-protocol.md §7): model info (with or without blobs),
 * the tree (folders, pagination, `expand`), paths-info (JSON or form), the commit history and the
 * refs; and the Link-header pagination every listing shares.
 */
import type http from 'node:http';
import type { Fault } from './faults';
import { type HubState } from './hub-state';
import { hubError, json, readBody } from './http-util';
import { history, type FakeCommit, type FakeFile, type FakeRepo } from './model';

export function treeEntry(s: HubState, f: FakeFile, expand: boolean, hits: Fault[], repo: FakeRepo) {
  return {
    type: 'file',
    oid: f.oid,
    size: f.content.size,
    path: f.path,
    ...(f.lfs ? { lfs: { oid: f.sha256, size: f.content.size, pointerSize: 134 } } : {}),
    ...(s.xet ? s.xet.treeFields(repo, f) : {}),
    ...(expand ? { lastCommit: f.lastCommit, securityFileStatus: { status: 'safe' } } : {}),
    ...(hits.find((h) => h.kind === 'treeEntry')?.set ?? {}),
  };
}

function dirsOf(commit: FakeCommit): Set<string> {
  const dirs = new Set<string>();
  for (const p of commit.files.keys()) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return dirs;
}

function folderOid(s: string): string {
  // Folder oids only need to look like git ids.
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(40, '0');
}

export function modelInfo(s: HubState, repo: FakeRepo, commit: FakeCommit, blobsToo: boolean) {
  return {
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
    xetEnabled: s.xet !== null,
  };
}

export function paginate<T>(req: http.IncomingMessage, res: http.ServerResponse, items: T[], pageSize: number, origin: string, hits: Fault[] = []): void {
  const url = new URL(req.url ?? '/', origin);
  const cursor = Number(url.searchParams.get('cursor') ?? '0') || 0;
  const page = items.slice(cursor, cursor + pageSize);
  const headers: Record<string, string> = {};
  if (cursor + pageSize < items.length || hits.some((f) => f.kind === 'endlessPages')) {
    url.searchParams.set('cursor', String(cursor + pageSize));
    headers.Link = `<${url.toString()}>; rel="next"`;
  }
  json(res, 200, page, headers);
}

/** GET /api/{type}s/{repo}/commits/{rev}: the history from rev, newest first, 50 a page (the Hub's shape). */
export function commitsAnswer(s: HubState, req: http.IncomingMessage, res: http.ServerResponse, repo: FakeRepo, head: FakeCommit, hits: Fault[]): void {
  const items = history(repo, head).map((c) => ({
    id: c.sha,
    title: c.title,
    message: `${c.title}\n`,
    date: c.date,
    authors: [{ user: repo.author || 'hub', avatar: `/avatars/${repo.author || 'hub'}.svg` }],
  }));
  paginate(req, res, items, 50, s.apiUrl, hits);
}

/** GET /api/{type}s/{repo}/refs: branches and tags (a name that starts with a digit or v+digit), PRs when asked. */
export function refsAnswer(res: http.ServerResponse, repo: FakeRepo, url: URL): void {
  const isTag = (name: string) => name !== 'main' && /^v?\d/.test(name);
  const all = [...repo.refs.entries()];
  const entries = all
    .filter(([name]) => !name.startsWith('refs/pr/'))
    .map(([name, sha]) => ({ name, ref: `refs/${isTag(name) ? 'tags' : 'heads'}/${name}`, targetCommit: sha }));
  const prs = all.filter(([name]) => name.startsWith('refs/pr/')).map(([name, sha]) => ({ name: name.slice('refs/pr/'.length), ref: name, targetCommit: sha }));
  const includePrs = url.searchParams.get('include_prs') === '1' || url.searchParams.get('include_prs') === 'true';
  json(res, 200, {
    branches: entries.filter((e) => !isTag(e.name)),
    tags: entries.filter((e) => isTag(e.name)),
    converts: [],
    ...(includePrs ? { pullRequests: prs } : {}),
  });
}

/** GET /api/{type}s/{repo}/tree/{rev}[/folder]: one folder's entries (or all, recursive), paginated. */
export function treeAnswer(
  s: HubState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  at: { repo: FakeRepo; commit: FakeCommit; rest: string | undefined },
  url: URL,
  hits: Fault[],
): void {
  const { repo, commit, rest } = at;
  const expand = url.searchParams.get('expand') === 'true';
  const recursive = url.searchParams.get('recursive') === 'true';
  const folder = rest ? decodeURIComponent(rest.slice(1)).replace(/\/$/, '') : '';
  const dirs = dirsOf(commit);
  if (folder && !dirs.has(folder)) return hubError(res, 404, 'EntryNotFound', `${folder} does not exist`, { 'X-Repo-Commit': commit.sha });
  const prefix = folder ? `${folder}/` : '';
  const inScope = (p: string) => p.startsWith(prefix) && (recursive || !p.slice(prefix.length).includes('/'));
  const entries = [
    ...[...dirs].filter(inScope).map((d) => ({ type: 'directory', oid: folderOid(d), size: 0, path: d })),
    ...[...commit.files.values()].filter((f) => inScope(f.path)).map((f) => treeEntry(s, f, expand, hits, repo)),
  ].sort((a, b) => a.path.localeCompare(b.path));
  paginate(req, res, entries, expand ? Math.min(50, s.treePageSize) : s.treePageSize, s.apiUrl, hits);
}

/** POST /api/{type}s/{repo}/paths-info/{rev}: the entries of the paths asked for (JSON or form body). */
export async function pathsInfoAnswer(
  s: HubState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  repo: FakeRepo,
  commit: FakeCommit,
  hits: Fault[],
): Promise<void> {
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
    .map((f) => treeEntry(s, f, expand, hits, repo));
  json(res, 200, out);
}
