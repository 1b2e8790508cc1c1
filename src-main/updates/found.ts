/**
 * Models in other apps' folders whose Hub origin is known (#26.2): a file the apps scan tied to a
 * repo and a path (`hint`) and whose sha256 is known, compared with that path at the repo's main.
 * One paths-info request per repo, anonymous first like every check; nothing in the app's folder
 * is touched.
 */
import type { FoundModel } from '../contract/apps';
import type { FoundUpdate } from '../contract/updates';
import { SHA256_RE } from '../contract/ids';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { repoApiPath, isValidRepoId, isSafeRepoPath } from '../hub/repo-id';
import { stateOfError, type CheckHubs } from './check';
import { paced, type PaceOptions } from './pacer';

interface Entry {
  path?: unknown;
  size?: unknown;
  lfs?: { oid?: unknown } | null;
}

async function pathsInfo(hub: HubHttp, repo: string, files: string[]): Promise<Map<string, { sha256: string | null; size: number | null }>> {
  const res = await hub.fetch(hub.url(`/api/${repoApiPath({ type: 'model', id: repo })}/paths-info/main`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ paths: files, expand: false }),
    ctx: { repo },
    retries: 0,
  });
  const body = (await res.json()) as unknown;
  if (!Array.isArray(body) || body.length > files.length) throw new HubError('SERVER_ERROR', `The Hub's file details for ${repo} are not a bounded list.`);
  const out = new Map<string, { sha256: string | null; size: number | null }>();
  for (const e of body as Entry[]) {
    if (typeof e?.path !== 'string') continue;
    const oid = typeof e.lfs?.oid === 'string' && SHA256_RE.test(e.lfs.oid) ? e.lfs.oid : null;
    out.set(e.path, { sha256: oid, size: typeof e.size === 'number' && Number.isSafeInteger(e.size) ? e.size : null });
  }
  return out;
}

async function askRepo(hubs: CheckHubs, repo: string, files: string[]) {
  try {
    return await pathsInfo(hubs.anonymous, repo, files);
  } catch (error) {
    const retry = error instanceof HubError && (error.code === 'REPO_NOT_FOUND' || error.code === 'UNAUTHORIZED' || error.code === 'GATED');
    if (!retry || !hubs.signedIn.signedIn) throw error;
    return pathsInfo(hubs.signedIn, repo, files);
  }
}

/** Each checkable found model's state against its repo's main. */
export async function checkFound(hubs: CheckHubs, models: readonly FoundModel[], pace?: PaceOptions): Promise<FoundUpdate[]> {
  const checkable = models.filter(
    (m): m is FoundModel & { hint: { repo: string; file: string }; sha256: string } =>
      m.hint !== null && m.hint.file !== null && m.sha256 !== null && isValidRepoId(m.hint.repo) && isSafeRepoPath(m.hint.file),
  );
  const byRepo = new Map<string, typeof checkable>();
  for (const m of checkable) byRepo.set(m.hint.repo, [...(byRepo.get(m.hint.repo) ?? []), m]);
  const repos = [...byRepo.keys()];
  const answers = await paced(repos, (repo) => askRepo(hubs, repo, [...new Set((byRepo.get(repo) ?? []).map((m) => m.hint.file))]), pace);
  return repos.flatMap((repo, i) => {
    const answer = answers[i];
    return (byRepo.get(repo) ?? []).map((m): FoundUpdate => {
      const base = { path: m.path, app: m.app, repo, file: m.hint.file };
      if (!answer?.ok) {
        const { state, message } = stateOfError(answer?.error);
        return {
          ...base,
          state: state === 'available' || state === 'diverged' || state === 'up-to-date' || state === 'branch-gone' ? 'error' : state,
          message,
          newSize: null,
        };
      }
      const now = answer.value.get(m.hint.file);
      if (!now) return { ...base, state: 'removed', message: `${m.hint.file} is no longer in ${repo}'s main branch.`, newSize: null };
      if (now.sha256 === m.sha256) return { ...base, state: 'up-to-date', message: null, newSize: now.size };
      return { ...base, state: 'changed', message: `${repo} has a different ${m.hint.file} now.`, newSize: now.size };
    });
  });
}
