/**
 * The read side of the Hub's URL space, parsed from the raw request target (never a normalised
 * URL: `..` must be refused, not resolved away). Every part is decoded once and checked with the
 * Hub's own rules (hub/repo-id.ts) before it names anything in the cache.
 */
import { isSafeRepoPath, isValidRepoId, isValidRevision, type RepoRef, type RepoType } from '../hub/repo-id';

export type MirrorRoute =
  | { kind: 'info'; repo: RepoRef; revision: string; byCommitUrl: boolean }
  | { kind: 'tree'; repo: RepoRef; revision: string; folder: string }
  | { kind: 'paths-info'; repo: RepoRef; revision: string }
  | { kind: 'resolve'; repo: RepoRef; revision: string; path: string };

export type ParsedTarget = { ok: true; key: string; route: MirrorRoute | null; query: URLSearchParams; prefix: string } | { ok: false; reason: string };

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

const TYPES: Record<string, RepoType> = { models: 'model', datasets: 'dataset' };

/**
 * `/<key>/<hub path>?query`. The key is returned raw for the caller to compare; `route` is null for
 * a path the mirror does not serve. Refuses dot segments (raw or encoded) anywhere.
 */
export function parseTarget(target: string | undefined): ParsedTarget {
  if (!target || target[0] !== '/' || target.length > 8192) return { ok: false, reason: 'bad request target' };
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1));
  const segments = rawPath.slice(1).split('/');
  const decoded = segments.map(decode);
  if (decoded.some((s) => s === null || s === '.' || s === '..' || s.includes('\0'))) return { ok: false, reason: 'malformed path' };
  const [key = '', ...rest] = segments;
  if (key === '') return { ok: false, reason: 'no key' };
  return { ok: true, key, route: parseHubPath(rest), query, prefix: `/${key}` };
}

function repoFrom(type: RepoType, parts: string[]): RepoRef | null {
  const ids = parts.map(decode);
  if (ids.some((s) => s === null)) return null;
  const id = ids.join('/');
  return isValidRepoId(id) ? { type, id } : null;
}

function revisionFrom(raw: string): string | null {
  const rev = decode(raw);
  return rev !== null && isValidRevision(rev) ? rev : null;
}

/** A path inside the repo from raw segments: each decoded, the whole checked (an encoded `/` stays a separator). */
function repoPathFrom(parts: string[]): string | null {
  const decoded = parts.map(decode);
  if (decoded.some((s) => s === null)) return null;
  const p = decoded.join('/');
  return isSafeRepoPath(p) ? p : null;
}

/** Splits `[prefix]<id (1–2 segments)>/<marker>/<rest>` where the marker is the first that follows a valid id. */
function splitAt(parts: string[], markers: readonly string[]): { idParts: string[]; marker: string; rest: string[] } | null {
  for (const n of [1, 2]) {
    const marker = parts[n];
    if (marker !== undefined && markers.includes(marker)) return { idParts: parts.slice(0, n), marker, rest: parts.slice(n + 1) };
  }
  return null;
}

export function parseHubPath(parts: string[]): MirrorRoute | null {
  if (parts[0] === 'api') {
    const type = TYPES[parts[1] ?? ''];
    if (!type) return null;
    const tail = parts.slice(2);
    const split = splitAt(tail, ['revision', 'tree', 'paths-info']);
    if (!split) {
      const repo = tail.length <= 2 ? repoFrom(type, tail) : null;
      return repo ? { kind: 'info', repo, revision: 'main', byCommitUrl: false } : null;
    }
    const repo = repoFrom(type, split.idParts);
    const [revRaw, ...more] = split.rest;
    const revision = revRaw === undefined ? null : revisionFrom(revRaw);
    if (!repo || revision === null) return null;
    if (split.marker === 'revision') return more.length === 0 ? { kind: 'info', repo, revision, byCommitUrl: true } : null;
    if (split.marker === 'paths-info') return more.length === 0 ? { kind: 'paths-info', repo, revision } : null;
    if (more.length === 0 || (more.length === 1 && more[0] === '')) return { kind: 'tree', repo, revision, folder: '' };
    const folder = repoPathFrom(more);
    return folder === null ? null : { kind: 'tree', repo, revision, folder };
  }
  let type: RepoType = 'model';
  let tail = parts;
  if (parts[0] === 'datasets' || parts[0] === 'models') {
    type = TYPES[parts[0]] as RepoType;
    tail = parts.slice(1);
  }
  const split = splitAt(tail, ['resolve']);
  if (!split) return null;
  const repo = repoFrom(type, split.idParts);
  const [revRaw, ...fileParts] = split.rest;
  const revision = revRaw === undefined ? null : revisionFrom(revRaw);
  const file = repoPathFrom(fileParts);
  return repo && revision !== null && file !== null ? { kind: 'resolve', repo, revision, path: file } : null;
}
