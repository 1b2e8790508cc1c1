/**
 * From "this repo, this revision, these files" to an exact list: the commit the revision points at
 * and, per file, its size and blob name. One file: a HEAD of its resolve URL, as Python does. A
 * selection or a whole revision: the commit, then the tree at that commit (whose listing is also
 * kept, for `trees/<commit>.json`). Files whose names Hubcap cannot store are skipped with the
 * reason, or refused when asked for by name.
 */
import { HubError } from '../hub/errors';
import { quoteName, unsafeNameReason } from '../hub/file-names';
import type { HubHttp } from '../hub/http';
import { COMMIT_RE, type RepoRef } from '../hub/repo-id';
import { fileMetadata, repoPageUrl, resolveCommit, type PlannedFile } from '../hub/resolve';
import { blobIdOf, listTree, type TreeFile } from '../hub/tree';
import { matchesAny } from './patterns';

export interface DownloadPlan {
  commit: string;
  files: PlannedFile[];
  /** The whole listing of the commit, when one was read. */
  listing: TreeFile[] | null;
  /** Files of the selection that cannot be stored, with why. */
  skipped: { path: string; reason: string }[];
}

export interface Selection {
  /** Exact paths. */
  files?: string[];
  /** fnmatch patterns (Python allow_patterns). */
  patterns?: string[];
}

function refuse(path: string, reason: string): HubError {
  return new HubError('INTEGRITY', `Hubcap will not store ${quoteName(path)}: ${reason}.`, { path: path.slice(0, 200) });
}

export async function planDownload(hub: HubHttp, repo: RepoRef, revision: string, selection: Selection): Promise<DownloadPlan> {
  const wanted = selection.files ?? [];
  for (const p of wanted) {
    const reason = unsafeNameReason(p);
    if (reason) throw refuse(p, reason);
  }
  if (wanted.length === 1 && !selection.patterns?.length) {
    const { commit, ...file } = await fileMetadata(hub, repo, revision, wanted[0] as string);
    return { commit, files: [file], listing: null, skipped: [] };
  }
  const commit = COMMIT_RE.test(revision) ? revision : await resolveCommit(hub, repo, revision);
  const listing = await listTree(hub, repo, commit, { repoUrl: repoPageUrl(hub, repo) });
  const files: PlannedFile[] = [];
  const skipped: DownloadPlan['skipped'] = [];
  const seen = new Set<string>();
  const everything = wanted.length === 0 && !selection.patterns?.length;
  for (const entry of listing) {
    const chosen = everything || wanted.includes(entry.path) || matchesAny(entry.path, selection.patterns ?? []);
    if (!chosen) continue;
    seen.add(entry.path);
    const reason = unsafeNameReason(entry.path);
    if (reason) {
      skipped.push({ path: quoteName(entry.path), reason });
      continue;
    }
    files.push({ path: entry.path, size: entry.size, etag: blobIdOf(entry), lfs: entry.lfs !== null, ...(entry.xetHash ? { xetHash: entry.xetHash } : {}) });
  }
  const missing = wanted.filter((p) => !seen.has(p));
  if (missing.length) {
    throw new HubError('ENTRY_NOT_FOUND', `${missing[0]} does not exist in ${repo.id} at ${revision}.`, {
      repo: repo.id,
      revision,
      path: missing[0] as string,
      commit,
    });
  }
  if (files.length === 0) {
    if (skipped.length) throw refuse(skipped[0]?.path ?? '', skipped[0]?.reason ?? '');
    throw new HubError('ENTRY_NOT_FOUND', `No file in ${repo.id} at ${revision} matches ${(selection.patterns ?? []).join(', ')}.`, {
      repo: repo.id,
      revision,
      commit,
    });
  }
  return { commit, files, listing, skipped };
}
