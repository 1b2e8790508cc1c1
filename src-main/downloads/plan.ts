/**
 * From "this repo, this revision, these files" to an exact list: the commit the revision points at
 * and, per file, its size and etag (the blob name). One file: a HEAD of its resolve URL, as Python
 * does. A selection or a whole revision: model info for the commit, then the tree at that commit
 * (both through @huggingface/hub, with our fetch deciding where the token goes).
 */
import { listFiles, modelInfo, datasetInfo } from '@huggingface/hub';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { COMMIT_RE, isSafeRepoPath, repoUrlPath, type RepoRef } from '../hub/repo-id';
import { matchesAny } from './patterns';

export interface PlannedFile {
  path: string;
  size: number;
  etag: string;
  lfs: boolean;
}

export interface DownloadPlan {
  commit: string;
  files: PlannedFile[];
}

export interface Selection {
  /** Exact paths. */
  files?: string[];
  /** fnmatch patterns (Python allow_patterns). */
  patterns?: string[];
}

export function resolveUrl(hub: HubHttp, repo: RepoRef, commitOrRev: string, filePath: string): string {
  return hub.url(`/${repoUrlPath(repo)}/resolve/${encodeURIComponent(commitOrRev)}/${filePath.split('/').map(encodeURIComponent).join('/')}`);
}

export function repoPageUrl(hub: HubHttp, repo: RepoRef): string {
  return hub.url(`/${repoUrlPath(repo)}`);
}

function normalizeEtag(v: string | null): string | null {
  if (!v) return null;
  return v.replace(/^W\//, '').replace(/^"|"$/g, '');
}

export interface FileMetadata extends PlannedFile {
  commit: string;
}

/** HEAD of a resolve URL (Python's get_hf_file_metadata): follows relative redirects only. */
export async function fileMetadata(hub: HubHttp, repo: RepoRef, revision: string, filePath: string): Promise<FileMetadata> {
  const ctx = { repo: repo.id, revision, path: filePath, repoUrl: repoPageUrl(hub, repo) };
  let url = resolveUrl(hub, repo, revision, filePath);
  for (let hop = 0; hop < 5; hop++) {
    const res = await hub.fetch(url, { method: 'HEAD', headers: { 'accept-encoding': 'identity' }, followRedirects: false, ctx });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location && !/^[a-z]+:\/\//i.test(location)) {
      url = new URL(location, url).toString();
      continue;
    }
    const commit = res.headers.get('x-repo-commit');
    const linked = normalizeEtag(res.headers.get('x-linked-etag'));
    const etag = linked ?? normalizeEtag(res.headers.get('etag'));
    const sizeHeader = res.headers.get('x-linked-size') ?? (res.status < 300 ? res.headers.get('content-length') : null);
    if (!commit || !COMMIT_RE.test(commit) || !etag || sizeHeader === null) {
      throw new HubError('SERVER_ERROR', `The Hub's answer for ${filePath} lacks its commit, etag or size.`, ctx);
    }
    return { path: filePath, size: Number(sizeHeader), etag: etag.toLowerCase(), lfs: linked !== null, commit };
  }
  throw new HubError('SERVER_ERROR', 'Too many redirects from the Hub.', ctx);
}

export async function resolveCommit(hub: HubHttp, repo: RepoRef, revision: string): Promise<string> {
  const common = { name: repo.id, revision, hubUrl: hub.endpoint, fetch: hub.libraryFetch, additionalFields: ['sha'] as ['sha'] };
  try {
    const info = repo.type === 'dataset' ? await datasetInfo(common) : await modelInfo(common);
    const sha = (info as { sha?: string }).sha;
    if (!sha || !COMMIT_RE.test(sha)) throw new HubError('SERVER_ERROR', `The Hub did not say which commit ${revision} is.`);
    return sha;
  } catch (error) {
    throw withContext(error, { repo: repo.id, revision, repoUrl: repoPageUrl(hub, repo) });
  }
}

function withContext(error: unknown, ctx: { repo: string; revision: string; repoUrl: string }): unknown {
  if (error instanceof HubError && error.code === 'REVISION_NOT_FOUND') {
    return new HubError('REVISION_NOT_FOUND', `Revision "${ctx.revision}" does not exist in ${ctx.repo}.`, { ...error.details, ...ctx });
  }
  return error;
}

export async function planDownload(hub: HubHttp, repo: RepoRef, revision: string, selection: Selection): Promise<DownloadPlan> {
  const wanted = selection.files ?? [];
  for (const p of wanted) if (!isSafeRepoPath(p)) throw new HubError('VALIDATION_FAILED', `"${p}" is not a valid file path.`);
  if (wanted.length === 1 && !selection.patterns?.length) {
    const meta = await fileMetadata(hub, repo, revision, wanted[0] as string);
    return { commit: meta.commit, files: [{ path: meta.path, size: meta.size, etag: meta.etag, lfs: meta.lfs }] };
  }
  const commit = COMMIT_RE.test(revision) ? revision : await resolveCommit(hub, repo, revision);
  const files: PlannedFile[] = [];
  const seen = new Set<string>();
  for await (const entry of listFiles({ repo: { type: repo.type, name: repo.id }, revision: commit, recursive: true, hubUrl: hub.endpoint, fetch: hub.libraryFetch })) {
    if (entry.type !== 'file') continue;
    if (!isSafeRepoPath(entry.path)) throw new HubError('INTEGRITY', `The Hub listed a file name that could escape the cache: ${JSON.stringify(entry.path).slice(0, 100)}`);
    const chosen = (wanted.length === 0 && !selection.patterns?.length) || wanted.includes(entry.path) || matchesAny(entry.path, selection.patterns ?? []);
    if (!chosen) continue;
    const etag = (entry.lfs?.oid ?? entry.oid ?? '').toLowerCase();
    files.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, etag, lfs: Boolean(entry.lfs) });
    seen.add(entry.path);
  }
  const missing = wanted.filter((p) => !seen.has(p));
  if (missing.length) {
    throw new HubError('ENTRY_NOT_FOUND', `${missing[0]} does not exist in ${repo.id} at ${revision}.`, { repo: repo.id, revision, path: missing[0] as string, commit });
  }
  if (files.length === 0) {
    throw new HubError('ENTRY_NOT_FOUND', `No file in ${repo.id} at ${revision} matches ${(selection.patterns ?? []).join(', ')}.`, { repo: repo.id, revision, commit });
  }
  return { commit, files };
}
