/**
 * A cached repo's key (`model:org/name`), apart from the schemas in ../keys.ts (which re-exports
 * it) so pages that only make keys, like the Gallery, do not load zod before their first paint.
 */
import type { RepoRef } from '../keys';

export function repoKey(repo: RepoRef): string {
  return `${repo.type}:${repo.id}`;
}
