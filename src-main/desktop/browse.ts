/**
 * Browsing this machine's folders for a picker that has no native dialog (`hubcap serve` in a
 * browser): one folder's subfolders, and how many files and bytes it holds (what publishing it
 * would send: .git and .cache are left out, as publishing leaves them). Under serve only the
 * user's home and what is under it may be listed; a link that leads out of it is refused.
 * Every answer is bounded: the names listed, the files counted, the depth walked.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FolderListing } from '../contract/app';
import { ApiError } from '../contract/errors';

export const BROWSE_LIMITS = { folders: 2000, files: 20_000, depth: 16 } as const;
const LEFT_OUT = new Set(['.git', '.cache']);

async function real(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    throw new ApiError('NOT_FOUND', `${p} does not exist.`);
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Files and bytes under `dir` (links not followed), stopping at the bounds. */
async function count(dir: string): Promise<{ files: number; bytes: number; truncated: boolean }> {
  let files = 0;
  let bytes = 0;
  const walk = async (d: string, depth: number): Promise<boolean> => {
    if (depth > BROWSE_LIMITS.depth) return false;
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return true; // unreadable: counted as nothing, not as a failure of the whole answer
    }
    for (const e of entries) {
      if (files >= BROWSE_LIMITS.files) return false;
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!LEFT_OUT.has(e.name) && !(await walk(p, depth + 1))) return false;
      } else if (e.isFile()) {
        files++;
        bytes += (await fs.stat(p).catch(() => ({ size: 0 }))).size;
      }
    }
    return true;
  };
  const complete = await walk(dir, 0);
  return { files, bytes, truncated: !complete };
}

/**
 * One folder (or file) as the picker shows it. `home` bounds what may be listed when `onlyUnder`
 * is set (serve); the desktop lists anything its user can read.
 */
export async function browse(requested: string | undefined, home: string, onlyUnder: boolean): Promise<FolderListing> {
  if (requested !== undefined && !path.isAbsolute(requested)) throw new ApiError('INVALID_PATH', `"${requested}" is not an absolute path.`);
  const root = await real(home);
  const target = await real(requested ?? home);
  if (onlyUnder && !inside(root, target)) throw new ApiError('INVALID_PATH', `Only folders under ${home} can be browsed here.`);
  const stat = await fs.stat(target);
  const parentOf = (p: string) => {
    const up = path.dirname(p);
    return up === p || (onlyUnder && !inside(root, up)) ? null : up;
  };
  if (stat.isFile()) return { path: target, kind: 'file', parent: parentOf(target), home: root, folders: [], files: 1, bytes: stat.size, truncated: false };
  if (!stat.isDirectory()) throw new ApiError('INVALID_PATH', `${target} is neither a folder nor a file.`);
  const entries = await fs.readdir(target, { withFileTypes: true }).catch(() => {
    throw new ApiError('INVALID_PATH', `${target} cannot be read.`);
  });
  const folders = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  const counted = await count(target);
  return {
    path: target,
    kind: 'folder',
    parent: parentOf(target),
    home: root,
    folders: folders.slice(0, BROWSE_LIMITS.folders),
    files: counted.files,
    bytes: counted.bytes,
    truncated: counted.truncated || folders.length > BROWSE_LIMITS.folders,
  };
}
