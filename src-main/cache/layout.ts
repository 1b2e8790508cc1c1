/**
 * Writing the huggingface_hub cache layout exactly as Python does (docs/hub-protocol.md §1.3, §1.12):
 * blobs/<etag>, snapshots/<commit>/<path> as depth-correct relative symlinks (copies where links
 * are impossible), refs/<revision> holding the commit with no newline, .no_exist markers, and the
 * CACHEDIR.TAG. Every path from the Hub is checked so nothing escapes the repo folder.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { writeFileAtomic } from '../base/atomic-write';
import { copyUntrustedSync, readUntrustedSync, replaceFileSync, writeExclusiveSync } from '../base/untrusted-file';
import { COMMIT_RE, isSafeRepoPath, isValidRevision, type RepoRef, type RepoType } from '../hub/repo-id';
import { isEtag } from '../hub/blob-id';

export const CACHEDIR_TAG =
  'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by huggingface_hub.\n# For information about cache directory tags, see:\n#\thttps://bford.info/cachedir/\n';

/** The names Python's cache gives its folders (docs/hub-protocol.md §1.3, §1.6): one home, imported everywhere. */
export const CACHE_NAMES = {
  blobs: 'blobs',
  snapshots: 'snapshots',
  refs: 'refs',
  noExist: '.no_exist',
  trees: 'trees',
  locks: '.locks',
  lock: '.lock',
  incomplete: '.incomplete',
} as const;

export const blobsDir = (repoDir: string): string => path.join(repoDir, CACHE_NAMES.blobs);
export const snapshotsDir = (repoDir: string): string => path.join(repoDir, CACHE_NAMES.snapshots);
export const refsDir = (repoDir: string): string => path.join(repoDir, CACHE_NAMES.refs);
export const treesDir = (repoDir: string): string => path.join(repoDir, CACHE_NAMES.trees);
/** `.locks/` at the cache's top, or one repo folder's locks in it. */
export const locksDir = (cacheDir: string, repoFolder?: string): string => path.join(cacheDir, CACHE_NAMES.locks, ...(repoFolder ? [repoFolder] : []));

export function repoFolderName(repo: RepoRef): string {
  return `${repo.type}s--${repo.id.split('/').join('--')}`;
}

/** "models--org--name" → { type: 'model', id: 'org/name' }, or null for anything else. */
export function parseRepoFolderName(name: string): RepoRef | null {
  const m = /^(model|dataset|space)s--(.+)$/.exec(name);
  if (!m) return null;
  const id = (m[2] as string).split('--').join('/');
  if (id.length === 0) return null;
  return { type: m[1] as RepoType, id };
}

export function repoDir(cacheDir: string, repo: RepoRef): string {
  return path.join(cacheDir, repoFolderName(repo));
}

/** The etag as a file name: 40 (git sha1) or 64 (sha256) lowercase hex, nothing else. */
export function checkEtag(etag: string): string {
  if (!isEtag(etag)) throw new ApiError('INTEGRITY', `The Hub sent an unexpected file id (${etag.slice(0, 80)}).`);
  return etag;
}

export function blobPath(dir: string, etag: string): string {
  return path.join(blobsDir(dir), checkEtag(etag));
}

function checkCommit(commit: string): string {
  if (!COMMIT_RE.test(commit)) throw new ApiError('INTEGRITY', `The Hub sent an unexpected commit id (${commit.slice(0, 80)}).`);
  return commit;
}

/** snapshots/<commit>/<path>, refusing any path that would leave the snapshot folder. */
export function snapshotFilePath(dir: string, commit: string, repoPath: string): string {
  if (!isSafeRepoPath(repoPath))
    throw new ApiError('INVALID_PATH', `Refusing a file name from the Hub that could escape the cache: ${JSON.stringify(repoPath).slice(0, 120)}`);
  const base = path.join(snapshotsDir(dir), checkCommit(commit));
  const full = path.join(base, ...repoPath.split('/'));
  if (!full.startsWith(base + path.sep)) throw new ApiError('INVALID_PATH', `Refusing ${repoPath}: it escapes the snapshot folder.`);
  return full;
}

export function ensureCacheDir(cacheDir: string): void {
  fs.mkdirSync(cacheDir, { recursive: true });
  const tag = path.join(cacheDir, 'CACHEDIR.TAG');
  if (!fs.existsSync(tag)) {
    try {
      writeExclusiveSync(tag, CACHEDIR_TAG);
    } catch {
      // another process wrote it first, or a read-only folder: the tag is optional
    }
  }
}

/** refs/<revision> = commit, no trailing newline (Python reads it untrimmed). Not for commit revisions. */
export function writeRef(dir: string, revision: string, commit: string): void {
  if (COMMIT_RE.test(revision)) return;
  if (!isValidRevision(revision)) throw new ApiError('VALIDATION_FAILED', `"${revision}" is not a valid revision.`);
  const file = path.join(refsDir(dir), ...revision.split('/'));
  let current: string | null = null;
  try {
    current = readUntrustedSync(file, 4096).toString('utf8');
  } catch {
    current = null;
  }
  if (current !== checkCommit(commit)) writeFileAtomic(file, commit);
}

export function readRef(dir: string, revision: string): string | null {
  if (!isValidRevision(revision)) return null;
  try {
    const v = readUntrustedSync(path.join(refsDir(dir), ...revision.split('/')), 4096).toString('utf8');
    return COMMIT_RE.test(v) ? v : null;
  } catch {
    return null;
  }
}

/** .no_exist/<commit>/<path>: an empty marker that the file does not exist at that commit. */
export function markNoExist(dir: string, commit: string, repoPath: string): void {
  if (!isSafeRepoPath(repoPath)) return;
  const file = path.join(dir, CACHE_NAMES.noExist, checkCommit(commit), ...repoPath.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Every repo folder keeps a snapshots/ folder: Python's scanner rejects one without.
  fs.mkdirSync(snapshotsDir(dir), { recursive: true });
  // Replaced, never opened: a link or FIFO someone put at that name is not written through or waited on.
  replaceFileSync(file, '');
}

const symlinkSupport = new Map<string, boolean>();

/** Probed once per cache folder, as Python does (HF_HUB_DISABLE_SYMLINKS, read in hub/hf-env.ts, forces copies). */
export function symlinksSupported(cacheDir: string, disabled = false): boolean {
  if (disabled) return false;
  const known = symlinkSupport.get(cacheDir);
  if (known !== undefined) return known;
  let ok = false;
  const probe = path.join(cacheDir, `.hubcap-symlink-probe-${randomBytes(4).toString('hex')}`);
  try {
    fs.mkdirSync(probe, { recursive: true });
    writeExclusiveSync(path.join(probe, 'src'), '');
    fs.symlinkSync('src', path.join(probe, 'dst'));
    ok = true;
  } catch {
    ok = false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
  symlinkSupport.set(cacheDir, ok);
  return ok;
}

/**
 * Points snapshots/<commit>/<path> at blobs/<etag>: a relative symlink whose number of `../` follows
 * the path's depth. Without symlink support: move a blob fresh from download, copy an existing one.
 */
export function linkSnapshotFile(
  cacheDir: string,
  dir: string,
  commit: string,
  repoPath: string,
  etag: string,
  opts: { freshBlob?: boolean; disableSymlinks?: boolean } = {},
): string {
  const target = snapshotFilePath(dir, commit, repoPath);
  const blob = blobPath(dir, etag);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(target, { force: true });
  if (symlinksSupported(cacheDir, opts.disableSymlinks)) {
    fs.symlinkSync(path.relative(path.dirname(target), blob), target);
  } else if (opts.freshBlob) {
    fs.renameSync(blob, target);
  } else {
    copyUntrustedSync(blob, target);
  }
  return target;
}

/** Is this snapshot entry present (a live link or a copied file)? */
export function snapshotFileExists(dir: string, commit: string, repoPath: string): boolean {
  try {
    return fs.statSync(snapshotFilePath(dir, commit, repoPath)).isFile();
  } catch {
    return false;
  }
}
