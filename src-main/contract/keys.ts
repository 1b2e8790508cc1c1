/**
 * The one place where keys are made and read: a cached repo (`model:org/name`), a Library item
 * (`local:<uuid>`, `cache:model:org/name@<commit>:<path>`), and the repo names people type
 * (`org/name`, `dataset/org/name`, `datasets/org/name`, as the `hf` CLI accepts them).
 */
import { z } from 'zod';
import { COMMIT_ID } from './ids';
import { repoKey } from './present/repo-key';

export const REPO_TYPES = ['model', 'dataset', 'space'] as const;
export type RepoType = (typeof REPO_TYPES)[number];

export interface RepoRef {
  type: RepoType;
  id: string;
}

/** One or two segments of letters, digits, `-`, `_`, `.` (the Hub's rules are checked in hub/repo-id.ts). */
const ID = String.raw`[\w.-]+(?:\/[\w.-]+)?`;
export const REPO_KEY_RE = new RegExp(`^(model|dataset|space):(${ID})$`);
const CACHE_ITEM_RE = new RegExp(`^cache:(model|dataset|space):(${ID})@(${COMMIT_ID}):(.+)$`);
const LOCAL_ITEM_RE = /^local:([0-9a-f-]{36})$/;

export { repoKey };

export function parseRepoKey(key: string): RepoRef | null {
  const m = REPO_KEY_RE.exec(key);
  return m ? { type: m[1] as RepoType, id: m[2] as string } : null;
}

export const RepoKeySchema = z.string().min(3).max(300).regex(REPO_KEY_RE, 'Not a cache repo key.');

export type ItemKey = { source: 'local'; id: string } | { source: 'cache'; repo: RepoRef; commit: string; path: string };

export function localItemKey(id: string): string {
  return `local:${id}`;
}

export function cacheItemKey(repo: RepoRef, commit: string, path: string): string {
  return `cache:${repoKey(repo)}@${commit}:${path}`;
}

export function parseItemKey(key: string): ItemKey | null {
  const local = LOCAL_ITEM_RE.exec(key);
  if (local) return { source: 'local', id: local[1] as string };
  const cached = CACHE_ITEM_RE.exec(key);
  if (cached)
    return { source: 'cache', repo: { type: cached[1] as RepoType, id: cached[2] as string }, commit: cached[3] as string, path: cached[4] as string };
  return null;
}

export const ItemKeySchema = z
  .string()
  .min(7)
  .max(2048)
  .refine((k) => parseItemKey(k) !== null, 'Not a Library model.');

export const LocalItemKeySchema = z.string().regex(LOCAL_ITEM_RE, 'Only local checkpoints can be changed here.');

/**
 * A repo as typed: `org/name` (a model), `dataset/org/name`, `datasets/org/name`, `space(s)/…`, or
 * a key `model:org/name`. null when it is none of these.
 */
export function parseRepoSpec(spec: string): RepoRef | null {
  const asKey = parseRepoKey(spec);
  if (asKey) return asKey;
  const m = /^(?:(model|dataset|space)s?\/)?([\w.-]+(?:\/[\w.-]+)?)$/.exec(spec.trim());
  if (!m) return null;
  return { type: (m[1] as RepoType | undefined) ?? 'model', id: m[2] as string };
}
