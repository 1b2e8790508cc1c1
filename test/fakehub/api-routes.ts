/**
 * The API origin's `/api/...` reads: whoami-v2, model and dataset search (filters, sort, Link-header
 * pagination), and one repo's info, tree, paths-info, commits and refs (repo-answers.ts).
 */
import type http from 'node:http';
import type { Fault } from './faults';
import { caller, canSee, checkRepo, findRepo, resolveOr404, type HubState } from './hub-state';
import { hubError, json } from './http-util';
import { resolveRevision, type FakeCommit, type FakeRepo } from './model';
import { commitsAnswer, modelInfo, paginate, pathsInfoAnswer, refsAnswer, treeAnswer } from './repo-answers';

function whoami(s: HubState, req: http.IncomingMessage, res: http.ServerResponse): void {
  const who = caller(s, req);
  if (who === null || who === 'invalid') {
    hubError(res, 401, null, who === null ? 'Unauthorized' : 'Invalid credentials in Authorization header');
    return;
  }
  const entry = [...s.tokens.entries()].find(([, t]) => t === who);
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
}

/** The value a search sorts by, largest first. */
function sortKey(r: FakeRepo, sort: string): number | string {
  if (sort === 'downloads') return r.downloads;
  if (sort === 'likes') return r.likes;
  if (sort === 'lastModified') return r.lastModified;
  if (sort === 'createdAt') return r.createdAt;
  return r.trendingScore;
}

/** GET /api/models, /api/datasets: search, author, filter, pipeline_tag, sort, limit; paginated. */
function listRepos(s: HubState, req: http.IncomingMessage, res: http.ServerResponse, kind: string, url: URL, hits: Fault[]): void {
  const who = caller(s, req);
  if (who === 'invalid') return hubError(res, 401, null, 'Invalid credentials in Authorization header');
  const type = kind === 'models' ? 'model' : 'dataset';
  const search = (url.searchParams.get('search') ?? '').toLowerCase();
  const author = url.searchParams.get('author');
  const filters = url.searchParams.getAll('filter').flatMap((f) => f.split(','));
  const pipelineTag = url.searchParams.get('pipeline_tag');
  const sort = url.searchParams.get('sort') ?? 'trendingScore';
  const limit = Math.min(Number(url.searchParams.get('limit') ?? '30') || 30, 1000);
  const items = [...s.repos.values()]
    .filter((r) => r.type === type && canSee(r, who))
    .filter((r) => !search || r.id.toLowerCase().includes(search))
    .filter((r) => !author || r.author === author)
    .filter((r) => filters.every((f) => r.tags.includes(f) || r.libraryName === f || r.pipelineTag === f))
    .filter((r) => !pipelineTag || r.pipelineTag === pipelineTag)
    .sort((a, b) => {
      const ka = sortKey(a, sort);
      const kb = sortKey(b, sort);
      return ka < kb ? 1 : ka > kb ? -1 : a.id.localeCompare(b.id);
    })
    .map((r) => {
      const head = resolveRevision(r, 'main') as FakeCommit;
      const info = modelInfo(s, r, head, false);
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
  paginate(req, res, items, limit, s.apiUrl, hits);
}

const repoType = (kind: string | undefined) => (kind === 'models' ? 'model' : 'dataset');

export async function handleApi(s: HubState, req: http.IncomingMessage, res: http.ServerResponse, path: string, url: URL, hits: Fault[]): Promise<void> {
  if (path === '/api/whoami-v2') return whoami(s, req, res);
  const list = /^\/api\/(models|datasets)$/.exec(path);
  if (list) return listRepos(s, req, res, list[1] as string, url, hits);
  const commitsMatch = /^\/api\/(models|datasets)\/(.+?)\/commits\/([^/]+)$/.exec(path);
  if (commitsMatch) {
    const repo = findRepo(s, repoType(commitsMatch[1]), commitsMatch[2] as string);
    if (!checkRepo(s, res, repo, caller(s, req), false)) return;
    const head = resolveOr404(res, repo, decodeURIComponent(commitsMatch[3] as string));
    if (!head) return;
    return commitsAnswer(s, req, res, repo, head, hits);
  }
  const refsMatch = /^\/api\/(models|datasets)\/(.+?)\/refs$/.exec(path);
  if (refsMatch) {
    const repo = findRepo(s, repoType(refsMatch[1]), refsMatch[2] as string);
    if (!checkRepo(s, res, repo, caller(s, req), false)) return;
    return refsAnswer(res, repo, url);
  }
  const m = /^\/api\/(models|datasets)\/(.+?)(?:\/(revision|tree|paths-info)\/([^/]+)(\/.*)?)?$/.exec(path);
  if (!m) return hubError(res, 404, null, 'Not Found');
  const [, kind, id, op, revRaw, rest] = m as unknown as [string, string, string, string | undefined, string | undefined, string | undefined];
  const repo = findRepo(s, repoType(kind), id);
  if (!checkRepo(s, res, repo, caller(s, req), false)) return;
  const commit = resolveOr404(res, repo, decodeURIComponent(revRaw ?? 'main'));
  if (!commit) return;
  if (!op || op === 'revision') return json(res, 200, modelInfo(s, repo, commit, url.searchParams.get('blobs') === 'true'));
  if (op === 'tree') return treeAnswer(s, req, res, { repo, commit, rest }, url, hits);
  if (op === 'paths-info' && req.method === 'POST') return pathsInfoAnswer(s, req, res, repo, commit, hits);
  return hubError(res, 404, null, 'Not Found');
}
