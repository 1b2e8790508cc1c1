/** Zod-free helpers for updates, for the renderer's shell and the CLI alike. */
import type { RepoUpdates } from '../updates';

/** Whether a repo shows the update badge: a followed branch moved and it is not pinned. */
export function hasUpdate(r: Pick<RepoUpdates, 'pinned' | 'branches'>): boolean {
  return r.pinned === null && r.branches.some((b) => b.state === 'available' || b.state === 'diverged');
}
