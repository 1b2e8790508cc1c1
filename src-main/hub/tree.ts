/**
 * A revision's file listing: `GET /api/{type}s/{repo}/tree/{commit}?recursive=true` (docs/hub-protocol.md
 * §5.3), one page at a time through the Link header. Our own rather than @huggingface/hub's
 * listFiles so that the listing is bounded (pages, entries, bytes per page) and every entry is
 * checked before it becomes a path or a size: a listing that never ends, or lies, is an error.
 */
import { HubError } from './errors';
import type { HubHttp } from './http';
import { isByteCount, LISTING_LIMITS } from './limits';
import { nextPageUrl } from './pagination';
import { repoApiPath, type RepoRef } from './repo-id';
import { SHA256_RE } from './blob-id';
import { COMMIT_RE } from './repo-id';

export interface TreeFile {
  path: string;
  /** Real size (the LFS size for LFS files). */
  size: number;
  /** Git blob id (of the pointer, for LFS files). */
  oid: string;
  /** sha256 and size of the content, for LFS (and Xet) files. */
  lfs: { oid: string; size: number } | null;
  xetHash: string | null;
}

/** A git blob sha1 has a commit id's shape. */
const SHA1 = COMMIT_RE;

/** The blob name Python gives a file: the sha256 for LFS files, the git sha1 otherwise. */
export function blobIdOf(f: TreeFile): string {
  return f.lfs?.oid ?? f.oid;
}

function checkEntry(raw: unknown, where: string): TreeFile | null {
  if (typeof raw !== 'object' || raw === null) throw new HubError('SERVER_ERROR', `${where} has an entry that is not an object.`);
  const e = raw as Record<string, unknown>;
  if (e.type === 'directory') return null;
  if (e.type !== 'file' || typeof e.path !== 'string' || e.path.length === 0 || e.path.length > 4096) {
    throw new HubError('SERVER_ERROR', `${where} has an entry without a valid type and path.`);
  }
  const lfsRaw = e.lfs as Record<string, unknown> | undefined | null;
  let lfs: TreeFile['lfs'] = null;
  if (lfsRaw !== undefined && lfsRaw !== null) {
    const oid = typeof lfsRaw.oid === 'string' ? lfsRaw.oid.toLowerCase() : '';
    if (!SHA256_RE.test(oid) || !isByteCount(lfsRaw.size))
      throw new HubError('SERVER_ERROR', `${where} gives ${JSON.stringify(e.path.slice(0, 100))} an invalid LFS id or size.`);
    lfs = { oid, size: lfsRaw.size };
  }
  const oid = typeof e.oid === 'string' ? e.oid.toLowerCase() : '';
  const size = lfs?.size ?? e.size;
  if (!SHA1.test(oid) || !isByteCount(size))
    throw new HubError('SERVER_ERROR', `${where} gives ${JSON.stringify(e.path.slice(0, 100))} an invalid id or size.`);
  const xet = typeof e.xetHash === 'string' && SHA256_RE.test(e.xetHash) ? e.xetHash : null;
  return { path: e.path, size, oid, lfs, xetHash: xet };
}

/** Every file of a repo at a commit (or branch), recursively; bounded and checked. */
export async function listTree(hub: HubHttp, repo: RepoRef, revision: string, ctx: { repoUrl?: string } = {}): Promise<TreeFile[]> {
  const where = `The Hub's file listing of ${repo.id}`;
  const files: TreeFile[] = [];
  let url: string | null = hub.url(`/api/${repoApiPath(repo)}/tree/${encodeURIComponent(revision)}?recursive=true&expand=false`);
  let entries = 0;
  for (let page = 0; url; page++) {
    if (page >= LISTING_LIMITS.pages)
      throw new HubError('SERVER_ERROR', `${where} did not end after ${LISTING_LIMITS.pages} pages; Hubcap stopped reading it.`);
    const res = await hub.fetch(url, { ctx: { repo: repo.id, revision, ...ctx } });
    const body = (await res.json()) as unknown;
    if (!Array.isArray(body)) throw new HubError('SERVER_ERROR', `${where} is not a list.`);
    entries += body.length;
    if (entries > LISTING_LIMITS.entries)
      throw new HubError('SERVER_ERROR', `${where} has more than ${LISTING_LIMITS.entries.toLocaleString('en')} entries; Hubcap stopped reading it.`);
    for (const raw of body) {
      const f = checkEntry(raw, where);
      if (f) files.push(f);
    }
    url = nextPageUrl(res, hub);
  }
  return files;
}
