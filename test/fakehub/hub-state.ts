/**
 * What the fake Hub's answers share: its repos, tokens and grants, fault book, link, log and
 * addresses; and who a request comes from and what it may see (private and gated repos with the
 * Hub's status codes and X-Error-Code values).
 */
import type http from 'node:http';
import type { FaultBook } from './faults';
import { hubError } from './http-util';
import type { Link } from './link';
import { resolveRevision, type FakeCommit, type FakeFile, type FakeRepo, type FakeToken } from './model';
import type { LoggedRequest } from './request-log';
import type { XetHub } from './xet/hub-side';

export interface HubState {
  repos: Map<string, FakeRepo>;
  tokens: Map<string, FakeToken>;
  /** repo id → users granted access to a gated repo. */
  gatedAccess: Map<string, Set<string>>;
  faults: FaultBook;
  link: Link;
  log: LoggedRequest[];
  treePageSize: number;
  /** Set once the origins listen. */
  apiUrl: string;
  cdnUrl: string;
  xet: XetHub | null;
}

export type Caller = FakeToken | null | 'invalid';

export function findRepo(s: HubState, type: string, id: string): FakeRepo | undefined {
  return s.repos.get(`${type}:${id}`);
}

export function repoOrThrow(s: HubState, id: string): FakeRepo {
  const repo = findRepo(s, 'model', id) ?? findRepo(s, 'dataset', id);
  if (!repo) throw new Error(`no repo ${id}`);
  return repo;
}

/** LFS objects by sha256, served by the CDN origin. */
export function lfsBlobs(s: HubState): Map<string, FakeFile> {
  const m = new Map<string, FakeFile>();
  for (const r of s.repos.values()) for (const c of r.commits) for (const f of c.files.values()) if (f.lfs) m.set(f.sha256, f);
  return m;
}

/** Who is calling: null (anonymous), a token, or 'invalid'. */
export function caller(s: HubState, req: http.IncomingMessage): Caller {
  const auth = req.headers.authorization;
  if (!auth) return null;
  const m = /^Bearer (.+)$/.exec(auth);
  const t = m ? s.tokens.get(m[1] as string) : undefined;
  return t ?? 'invalid';
}

export function canSee(repo: FakeRepo, who: FakeToken | null): boolean {
  return !repo.private || (who !== null && (who.user === repo.author || (who.orgs ?? []).includes(repo.author)));
}

/** Common checks for repo access; returns false when an error response was sent. */
export function checkRepo(s: HubState, res: http.ServerResponse, repo: FakeRepo | undefined, who: Caller, forFiles: boolean): repo is FakeRepo {
  if (who === 'invalid') {
    hubError(res, 401, null, 'Invalid credentials in Authorization header');
    return false;
  }
  if (!repo || !canSee(repo, who)) {
    hubError(res, who ? 404 : 401, 'RepoNotFound', 'Repository Not Found for url. Please make sure you specified the correct `repo_id` and `repo_type`.');
    return false;
  }
  if (forFiles && repo.gated) {
    const url = `${s.apiUrl}/${repo.id}`;
    if (!who) {
      hubError(res, 401, 'GatedRepo', `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
      return false;
    }
    const granted = s.gatedAccess.get(repo.id)?.has(who.user) ?? false;
    const fineGrainedBlocked = who.role === 'fineGrained' && !who.fineGrained?.canReadGatedRepos;
    if (!granted || fineGrainedBlocked) {
      hubError(res, 403, 'GatedRepo', `Access to model ${repo.id} is restricted and you are not in the authorized list. Visit ${url} to ask for access.`);
      return false;
    }
  }
  return true;
}

export function resolveOr404(res: http.ServerResponse, repo: FakeRepo, rev: string): FakeCommit | null {
  const commit = resolveRevision(repo, rev);
  if (!commit) hubError(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
  return commit;
}
