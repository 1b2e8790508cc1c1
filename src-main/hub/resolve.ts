/**
 * The Hub's answers about one revision: the resolve URL of a file, its metadata from a HEAD
 * (Python's get_hf_file_metadata, docs/hub-protocol.md §3.2), and the commit a branch or tag points at.
 * Every header is checked before it becomes a size or a blob name.
 */
import { HubError } from './errors';
import type { HubHttp } from './http';
import { parseByteCount } from './limits';
import { nextHop, staysOnOrigin } from './redirects';
import { COMMIT_RE, repoApiPath, repoUrlPath, type RepoRef } from './repo-id';
import { isEtag, SHA256_RE } from './blob-id';
import { linkRel } from './link-header';

/** A file the Hub described: size and blob name (sha256 for LFS files, git sha1 otherwise). */
export interface PlannedFile {
  path: string;
  size: number;
  etag: string;
  lfs: boolean;
  /** The Xet file hash, for files the Hub stores in Xet (docs/hub-protocol.md §3.4). */
  xetHash?: string;
  /**
   * The read-token route the resolve answer named (`Link: <…>; rel="xet-auth"`), known only from a
   * HEAD and kept only on the Hub's own origin; without it the route is built as Python builds it.
   */
  xetAuthUrl?: string;
  /**
   * Where the HEAD's redirect led (a signed link on the download host), known only from a HEAD: the
   * bytes are fetched there first, as Python does with its `metadata.location`, skipping a second
   * round trip to the Hub; an expired one is resolved again like any signed link.
   */
  downloadUrl?: string;
}

export interface FileMetadata extends PlannedFile {
  commit: string;
}

export function resolveUrl(hub: HubHttp, repo: RepoRef, commitOrRev: string, filePath: string): string {
  return hub.url(`/${repoUrlPath(repo)}/resolve/${encodeURIComponent(commitOrRev)}/${filePath.split('/').map(encodeURIComponent).join('/')}`);
}

export function repoPageUrl(hub: HubHttp, repo: RepoRef): string {
  return hub.url(`/${repoUrlPath(repo)}`);
}

/** `W/"abc"` → `abc`, lowercased; null unless it is a git sha1 or a sha256. */
export function normalizeEtag(v: string | null): string | null {
  if (!v) return null;
  const e = v.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
  return isEtag(e) ? e : null;
}

/** "Revision not found", always said the same way and with its context. */
export function revisionNotFound(repo: RepoRef, revision: string, details: object = {}, repoUrl?: string): HubError {
  return new HubError('REVISION_NOT_FOUND', `Revision "${revision}" does not exist in ${repo.id}.`, {
    ...details,
    repo: repo.id,
    revision,
    ...(repoUrl ? { repoUrl } : {}),
  });
}

/** An off-origin redirect's target as an absolute http(s) URL, or null (then the resolve URL is fetched as before). */
function downloadLink(from: string, location: string): string | null {
  try {
    const u = new URL(location, from);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/** A link the Hub named, absolute, if it stays on the Hub's origin (the user's token goes there); else null. */
function hubLink(hub: HubHttp, from: string, link: string | null): string | null {
  if (!link) return null;
  try {
    const u = new URL(link, from).href;
    return hub.isHubUrl(u) ? u : null;
  } catch {
    return null;
  }
}

/** HEAD of a resolve URL: follows redirects on the Hub's own origin only, as Python does. */
export async function fileMetadata(hub: HubHttp, repo: RepoRef, revision: string, filePath: string): Promise<FileMetadata> {
  const ctx = { repo: repo.id, revision, path: filePath, repoUrl: repoPageUrl(hub, repo) };
  let url = resolveUrl(hub, repo, revision, filePath);
  for (let hop = 0; ; hop++) {
    const res = await hub.fetch(url, {
      method: 'HEAD',
      headers: { 'accept-encoding': 'identity' },
      followRedirects: false,
      ctx,
      ...(hub.etagTimeoutMs ? { timeoutMs: hub.etagTimeoutMs } : {}),
    });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location && staysOnOrigin(url, location)) {
      // A same-origin hop (a renamed repo) is followed; one to the CDN is the answer itself.
      url = nextHop(url, location, hop, { details: ctx });
      continue;
    }
    const commit = res.headers.get('x-repo-commit');
    const linked = normalizeEtag(res.headers.get('x-linked-etag'));
    const etag = linked ?? normalizeEtag(res.headers.get('etag'));
    const sizeHeader = res.headers.get('x-linked-size') ?? (res.status < 300 ? res.headers.get('content-length') : null);
    const size = parseByteCount(sizeHeader);
    if (!commit || !COMMIT_RE.test(commit) || !etag) {
      throw new HubError('SERVER_ERROR', `The Hub's answer for ${filePath} lacks a valid commit or file id.`, ctx);
    }
    if (size === null) {
      throw new HubError('SERVER_ERROR', `The Hub gave ${filePath} an invalid size (${JSON.stringify((sizeHeader ?? 'none').slice(0, 40))}).`, ctx);
    }
    const xetHash = (res.headers.get('x-xet-hash') ?? '').trim().toLowerCase();
    const downloadUrl = res.status >= 300 && res.status < 400 && location ? downloadLink(url, location) : null;
    const xetAuthUrl = SHA256_RE.test(xetHash) ? hubLink(hub, url, linkRel(res.headers.get('link'), 'xet-auth')) : null;
    return {
      path: filePath,
      size,
      etag,
      lfs: linked !== null,
      commit,
      ...(SHA256_RE.test(xetHash) ? { xetHash } : {}),
      ...(xetAuthUrl ? { xetAuthUrl } : {}),
      ...(downloadUrl ? { downloadUrl } : {}),
    };
  }
}

/**
 * The commit a branch, tag or short sha points at: the repo's info at that revision, asked for its
 * `sha` alone (`?expand=sha`, as Python's `repo_info(expand=["sha"])`). One GET by HubHttp rather
 * than @huggingface/hub's modelInfo: loading the library for it cost every multi-file download
 * 45 ms (#25), and its request asks for six fields nothing here reads.
 */
export async function resolveCommit(hub: HubHttp, repo: RepoRef, revision: string): Promise<string> {
  if (COMMIT_RE.test(revision)) return revision;
  const url = hub.url(`/api/${repoApiPath(repo)}/revision/${encodeURIComponent(revision)}?expand=sha`);
  try {
    const info = (await (await hub.fetch(url, { ctx: { repo: repo.id, revision } })).json().catch((e: unknown) => {
      if (e instanceof HubError) throw e; // too big, or the Hub stopped sending
      return null; // not JSON: said below
    })) as { sha?: unknown } | null;
    const sha = info?.sha;
    if (typeof sha !== 'string' || !COMMIT_RE.test(sha)) throw new HubError('SERVER_ERROR', `The Hub did not say which commit ${revision} is.`);
    return sha;
  } catch (error) {
    if (error instanceof HubError && error.code === 'REVISION_NOT_FOUND') throw revisionNotFound(repo, revision, error.details, repoPageUrl(hub, repo));
    throw error;
  }
}
