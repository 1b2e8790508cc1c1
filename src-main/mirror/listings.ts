/**
 * The Hub's JSON listings built from a cached revision (docs/hub-protocol.md §5.2–5.4): repo info
 * with siblings, tree entries (recursive or one folder, pages linked with `Link: rel="next"` as the
 * Hub does: 1000 entries, 50 with `expand`), and paths-info.
 */
import type { MirrorFile, MirrorRevision } from './catalog';
import { gitBlobSha1, lfsPointer } from './catalog';
import type { Visibility } from './answers';

export const TREE_PAGE = 1000;
export const TREE_PAGE_EXPANDED = 50;

export interface TreeEntry {
  type: 'file' | 'directory';
  oid: string;
  path: string;
  size?: number;
  lfs?: { oid: string; size: number; pointerSize: number };
}

function lfsOf(f: MirrorFile): { oid: string; size: number; pointerSize: number } | undefined {
  if (!f.lfs) return undefined;
  return { oid: f.etag, size: f.size, pointerSize: Buffer.byteLength(lfsPointer(f.etag, f.size)) };
}

export function fileEntry(f: MirrorFile): TreeEntry {
  const lfs = lfsOf(f);
  return { type: 'file', oid: f.gitOid, size: f.size, path: f.path, ...(lfs ? { lfs } : {}) };
}

/** A folder's id: git's tree id is not in the cache; this one is stable and changes when its files do. */
function folderEntry(folder: string, files: MirrorFile[]): TreeEntry {
  const inside = files.filter((f) => f.path.startsWith(`${folder}/`)).map((f) => `${f.path}\0${f.gitOid}`);
  return { type: 'directory', oid: gitBlobSha1(inside.join('\n')), path: folder };
}

/** Entries under `folder` ('' for the root): every file below it when recursive, else its children. Null: no such folder. */
export function treeEntries(rev: MirrorRevision, folder: string, recursive: boolean): TreeEntry[] | null {
  const prefix = folder === '' ? '' : `${folder}/`;
  const below = rev.files.filter((f) => f.path.startsWith(prefix));
  if (folder !== '' && below.length === 0) return null;
  const entries: TreeEntry[] = [];
  const folders = new Set<string>();
  for (const f of below) {
    const rel = f.path.slice(prefix.length).split('/');
    // Every folder on the way (recursive) or the first level only.
    for (let i = 1; i < rel.length && (recursive || i === 1); i++) folders.add(prefix + rel.slice(0, i).join('/'));
    if (recursive || rel.length === 1) entries.push(fileEntry(f));
  }
  for (const d of folders) entries.push(folderEntry(d, rev.files));
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A page of entries and the cursor of the next one (an offset, opaque to clients). */
export function page<T>(items: T[], cursor: string | null, size: number): { items: T[]; next: string | null } | null {
  const start = cursor === null ? 0 : Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10);
  if (!Number.isSafeInteger(start) || start < 0 || start > items.length) return null;
  const end = start + size;
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(String(end)).toString('base64url') : null };
}

export function repoInfo(rev: MirrorRevision, visibility: Visibility, withBlobs: boolean): Record<string, unknown> {
  const { repo } = rev;
  return {
    _id: gitBlobSha1(`${repo.type}:${repo.id}`).slice(0, 24),
    id: repo.id,
    ...(repo.type === 'model' ? { modelId: repo.id } : {}),
    author: repo.id.includes('/') ? repo.id.split('/')[0] : undefined,
    sha: rev.commit,
    private: visibility === 'private',
    gated: visibility === 'gated' ? 'manual' : false,
    disabled: false,
    lastModified: new Date(rev.lastModified || 0).toISOString(),
    tags: [],
    siblings: rev.files.map((f) => {
      const lfs = lfsOf(f);
      return {
        rfilename: f.path,
        ...(withBlobs ? { size: f.size, blobId: f.gitOid, ...(lfs ? { lfs: { sha256: lfs.oid, size: lfs.size, pointerSize: lfs.pointerSize } } : {}) } : {}),
      };
    }),
    usedStorage: rev.files.reduce((a, f) => a + f.size, 0),
  };
}

/** paths-info's paths: form-encoded (Python) or JSON (JS); at most 10 000, each bounded. */
export function parsePathsBody(body: string, contentType: string | undefined): string[] | null {
  let paths: unknown;
  if (contentType?.includes('application/json')) {
    try {
      paths = (JSON.parse(body) as { paths?: unknown }).paths;
    } catch {
      return null;
    }
  } else {
    paths = new URLSearchParams(body).getAll('paths');
  }
  if (!Array.isArray(paths) || paths.length > 10_000 || paths.some((p) => typeof p !== 'string' || p.length > 4096)) return null;
  return paths as string[];
}

/** The entries for the paths that exist (files, or folders as directory entries); others are left out, as the Hub does. */
export function pathsInfo(rev: MirrorRevision, paths: string[]): TreeEntry[] {
  const out: TreeEntry[] = [];
  for (const p of new Set(paths.map((x) => x.replace(/^\/+|\/+$/g, '')))) {
    const file = rev.files.find((f) => f.path === p);
    if (file) out.push(fileEntry(file));
    else if (p !== '' && rev.files.some((f) => f.path.startsWith(`${p}/`))) out.push(folderEntry(p, rev.files));
  }
  return out;
}
