/**
 * What the Hub says about a repo's history, read for updates: its branches and tags in one light
 * request (`GET /api/{type}s/{repo}/refs`), and the commits between two of them
 * (`GET /api/{type}s/{repo}/commits/{rev}`, newest first, Link-paginated). Both bounded and checked
 * before anything becomes a commit id or a title.
 */
import { COMMIT_RE } from '../contract/ids';
import type { CommitSummary } from '../contract/updates';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { nextPageUrl } from '../hub/pagination';
import { repoApiPath, type RepoRef } from '../hub/repo-id';

/** Refs answers above this size are refused (a repo with thousands of branches is not a model). */
const REFS_BODY_LIMIT = 4 << 20;
const MAX_REFS = 10_000;
/** Pages of 50 commits read to find the cached commit: beyond, "more than N new commits". */
export const COMMIT_PAGES = 6;

export interface HubRefs {
  branches: Map<string, string>;
  tags: Set<string>;
}

function refList(v: unknown, where: string): { name: string; targetCommit: string }[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > MAX_REFS) throw new HubError('SERVER_ERROR', `${where} is not a bounded list.`);
  return v.map((e: unknown) => {
    const r = e as { name?: unknown; targetCommit?: unknown } | null;
    if (!r || typeof r.name !== 'string' || r.name.length === 0 || r.name.length > 255 || typeof r.targetCommit !== 'string' || !COMMIT_RE.test(r.targetCommit))
      throw new HubError('SERVER_ERROR', `${where} has an entry without a valid name and commit.`);
    return { name: r.name, targetCommit: r.targetCommit };
  });
}

/** The repo's branches (name → head) and tag names. */
export async function listRefs(hub: HubHttp, repo: RepoRef): Promise<HubRefs> {
  const res = await hub.fetch(hub.url(`/api/${repoApiPath(repo)}/refs`), { ctx: { repo: repo.id }, retries: 0, maxBodyBytes: REFS_BODY_LIMIT });
  const body = (await res.json()) as { branches?: unknown; tags?: unknown } | null;
  if (typeof body !== 'object' || body === null) throw new HubError('SERVER_ERROR', `The Hub's refs of ${repo.id} are not an object.`);
  const where = `The Hub's refs of ${repo.id}`;
  return {
    branches: new Map(refList(body.branches, where).map((b) => [b.name, b.targetCommit])),
    tags: new Set(refList(body.tags, where).map((t) => t.name)),
  };
}

function commitOf(raw: unknown, where: string): CommitSummary {
  const c = raw as { id?: unknown; title?: unknown; date?: unknown; authors?: unknown } | null;
  if (!c || typeof c.id !== 'string' || !COMMIT_RE.test(c.id)) throw new HubError('SERVER_ERROR', `${where} has a commit without a valid id.`);
  const authors = Array.isArray(c.authors)
    ? c.authors
        .slice(0, 20)
        .map((a: unknown) => (a as { user?: unknown } | null)?.user)
        .filter((u): u is string => typeof u === 'string')
        .map((u) => u.slice(0, 100))
    : [];
  const date = typeof c.date === 'string' && !Number.isNaN(Date.parse(c.date)) ? new Date(c.date).toISOString() : '';
  return { id: c.id, title: typeof c.title === 'string' ? c.title.slice(0, 300) : '', date, authors };
}

/**
 * The commits from `head` back to (not including) `base`. `found`: base is an ancestor of head;
 * `complete`: the whole history was read (so a base not found is truly not an ancestor).
 */
export async function commitsSince(
  hub: HubHttp,
  repo: RepoRef,
  head: string,
  base: string,
  maxPages = COMMIT_PAGES,
): Promise<{ commits: CommitSummary[]; found: boolean; complete: boolean }> {
  const where = `The Hub's commit list of ${repo.id}`;
  const commits: CommitSummary[] = [];
  let url: string | null = hub.url(`/api/${repoApiPath(repo)}/commits/${encodeURIComponent(head)}`);
  for (let page = 0; url; page++) {
    if (page >= maxPages) return { commits, found: false, complete: false };
    const res = await hub.fetch(url, { ctx: { repo: repo.id, revision: head }, retries: 0 });
    const body = (await res.json()) as unknown;
    if (!Array.isArray(body) || body.length > 1000) throw new HubError('SERVER_ERROR', `${where} is not a bounded list.`);
    for (const raw of body) {
      const c = commitOf(raw, where);
      if (c.id === base) return { commits, found: true, complete: true };
      commits.push(c);
    }
    url = nextPageUrl(res, hub);
  }
  return { commits, found: false, complete: true };
}
