/**
 * Detect (#26.1): for one cached repo, which of its refs are branches the Hub still has, and where
 * each head is now. One request per repo (its refs), anonymous first: the token goes only to repos
 * that need it (private ones), remembered so the next check asks with it straight away. A moved
 * branch costs one more request (the commit list) to tell an update from a force-push.
 */
import type { BranchStatus } from '../contract/updates';
import { ApiError } from '../contract/errors';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import type { RepoRef } from '../hub/repo-id';
import { commitsSince, listRefs, type HubRefs } from './hub-refs';

export interface CheckHubs {
  /** Never carries a token. */
  anonymous: HubHttp;
  /** Carries the signed-in token (hub/http.ts decides where it goes). */
  signedIn: HubHttp;
}

export interface RepoCheck {
  branches: BranchStatus[];
  notFollowed: string[];
  /** The refs answered only with the token. */
  needsToken: boolean;
}

/** A Hub failure as the state it puts every followed branch in. */
export function stateOfError(error: unknown): { state: BranchStatus['state']; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof ApiError)) return { state: 'error', message };
  switch (error.code) {
    case 'REPO_NOT_FOUND':
      return { state: 'gone', message: 'This repo is no longer on the Hub (deleted, renamed away, or made private). Your copy is kept.' };
    case 'GATED':
      return { state: 'gated', message: `The repo now asks for access before its files can be downloaded. ${message}` };
    case 'RATE_LIMITED':
      return { state: 'rate-limited', message: 'The Hub asked Hubcap to slow down; this repo was not checked. Try again in a minute.' };
    default:
      return { state: 'error', message };
  }
}

async function refsOf(hubs: CheckHubs, repo: RepoRef, needsToken: boolean): Promise<{ refs: HubRefs; needsToken: boolean }> {
  if (needsToken && hubs.signedIn.signedIn) return { refs: await listRefs(hubs.signedIn, repo), needsToken: true };
  try {
    return { refs: await listRefs(hubs.anonymous, repo), needsToken: false };
  } catch (error) {
    // Anonymous: a private repo answers 401 RepoNotFound, a gated one may answer 401 GatedRepo.
    const retry = error instanceof HubError && (error.code === 'REPO_NOT_FOUND' || error.code === 'UNAUTHORIZED' || error.code === 'GATED');
    if (!retry || !hubs.signedIn.signedIn) throw error;
    return { refs: await listRefs(hubs.signedIn, repo), needsToken: true };
  }
}

/** Checks one repo's followed refs (`cachedRefs`: ref name → cached commit). */
export async function checkRepo(hubs: CheckHubs, repo: RepoRef, cachedRefs: Record<string, string>, needsToken: boolean): Promise<RepoCheck> {
  const { refs, needsToken: usedToken } = await refsOf(hubs, repo, needsToken);
  const hub = usedToken ? hubs.signedIn : hubs.anonymous;
  const branches: BranchStatus[] = [];
  const notFollowed: string[] = [];
  for (const [name, cached] of Object.entries(cachedRefs).sort(([a], [b]) => (a === 'main' ? -1 : b === 'main' ? 1 : a.localeCompare(b)))) {
    if (name.startsWith('refs/pr/')) {
      notFollowed.push(`${name} is a pull request`);
      continue;
    }
    if (refs.tags.has(name) && !refs.branches.has(name)) {
      notFollowed.push(`${name} is a tag`);
      continue;
    }
    const head = refs.branches.get(name);
    if (head === undefined) {
      branches.push({
        branch: name,
        cachedCommit: cached,
        headCommit: null,
        state: 'branch-gone',
        message: `The branch ${name} no longer exists on the Hub. Your copy is kept.`,
      });
      continue;
    }
    if (head === cached) {
      branches.push({ branch: name, cachedCommit: cached, headCommit: head, state: 'up-to-date', message: null });
      continue;
    }
    branches.push(await movedBranch(hub, repo, name, cached, head));
  }
  return { branches, notFollowed, needsToken: usedToken };
}

async function movedBranch(hub: HubHttp, repo: RepoRef, branch: string, cached: string, head: string): Promise<BranchStatus> {
  const base = { branch, cachedCommit: cached, headCommit: head };
  try {
    const { commits, found, complete } = await commitsSince(hub, repo, head, cached);
    if (!found && complete)
      return {
        ...base,
        state: 'diverged',
        message: `${branch} was force-pushed: the new head does not build on the commit you have. Updating replaces your revision's history; your copy is kept until you remove it.`,
      };
    const n = found ? commits.length : null;
    return { ...base, state: 'available', message: n === null ? `More than ${commits.length} new commits.` : `${n} new commit${n === 1 ? '' : 's'}.` };
  } catch (error) {
    if (error instanceof HubError && error.code === 'RATE_LIMITED') throw error;
    // The head moved; only the history could not be read.
    return { ...base, state: 'available', message: `The branch moved; its history could not be read (${(error as Error).message}).` };
  }
}
