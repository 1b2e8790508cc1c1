/**
 * Validation of what names things on the Hub: repo ids, revisions and file paths. None of them is
 * trusted: each becomes part of a URL or of a path under the cache, so each is checked before use.
 */
import { ApiError } from '../contract/errors';

import type { RepoRef, RepoType } from '../contract/keys';

export type { RepoRef, RepoType };

const NAME = /^(?!.*(--|\.\.))[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$/;

/** Hub rules: one or two segments of letters, digits, `-`, `_`, `.`; no `--` or `..`; ≤ 96 each. */
export function isValidRepoId(id: string): boolean {
  const parts = id.split('/');
  return parts.length >= 1 && parts.length <= 2 && parts.every((p) => NAME.test(p));
}

export function parseRepoId(id: string, type: RepoType = 'model'): RepoRef {
  const trimmed = id
    .trim()
    .replace(/^https?:\/\/[^/]+\//, '')
    .replace(/\/$/, '');
  if (!isValidRepoId(trimmed)) {
    throw new ApiError('VALIDATION_FAILED', `"${id}" is not a valid repo id (expected like "org/model-name").`);
  }
  return { type, id: trimmed };
}

export { COMMIT_RE } from '../contract/ids';

/** A revision (branch, tag, refs/pr/N or commit): safe as a URL part and as a path under refs/. */
export function isValidRevision(rev: string): boolean {
  if (rev.length === 0 || rev.length > 255) return false;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\0-\x1f\x7f\\~^:?*[\]\s]/.test(rev)) return false;
  return rev.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && !seg.endsWith('.lock') && !seg.startsWith('.'));
}

export function checkRevision(rev: string): string {
  if (!isValidRevision(rev)) throw new ApiError('VALIDATION_FAILED', `"${rev}" is not a valid revision.`);
  return rev;
}

/**
 * A file path inside a repo, as the Hub gives it: relative, `/`-separated, no empty, `.` or `..`
 * segments, no backslashes, NUL or drive letters. Anything else could escape the repo folder.
 */
export function isSafeRepoPath(p: string): boolean {
  if (p.length === 0 || p.length > 4096) return false;
  if (p.startsWith('/') || /[\0\\]/.test(p) || /^[A-Za-z]:/.test(p)) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

export function repoUrlPath(repo: RepoRef): string {
  return repo.type === 'model' ? repo.id : `${repo.type}s/${repo.id}`;
}

/** The API path segment of a repo: `models/org/name`, `datasets/org/name`. */
export function repoApiPath(repo: RepoRef): string {
  return `${repo.type}s/${repo.id}`;
}
