import type { CachePresence } from '../../../src-main/contract/cache';
import { isTerminal, type DownloadJob } from '../../../src-main/contract/downloads';
import { cacheItemKey } from '../../../src-main/contract/keys';
import type { FileGroup, ModelDetails } from '../../../src-main/contract/model';

/** What a list of a model page's file groups is drawn from. */
export interface GroupsProps {
  model: ModelDetails;
  groups: FileGroup[];
  presence: CachePresence | undefined;
  jobs: readonly DownloadJob[];
}

export type GroupState =
  | { state: 'absent' }
  | { state: 'downloading'; percent: number; jobId: string }
  /** The last download of it failed (and none runs now): the row says why and how to fix it. */
  | { state: 'failed'; jobId: string }
  /** `libraryKey`: a GGUF the Library can run (first part, at a commit the cache holds). */
  | { state: 'downloaded'; libraryKey: string | null };

/**
 * What this machine has of one file group of a model page: every blob in the cache (whatever
 * revision fetched it), or a download of it running now, or nothing.
 */
export function groupState(group: FileGroup, repoId: string, sha: string, presence: CachePresence | undefined, jobs: readonly DownloadJob[]): GroupState {
  const blobs = new Map((presence?.blobs ?? []).map((b) => [b.etag, b]));
  const have = group.files.length > 0 && group.files.every((f) => f.etag && blobs.get(f.etag)?.size === f.size);
  if (have) {
    const first = group.files[0];
    const uses = first ? (blobs.get(first.etag)?.uses ?? []) : [];
    const use = uses.find((u) => u.commit === sha && u.path === first?.path) ?? uses.find((u) => u.path === first?.path) ?? uses[0];
    return { state: 'downloaded', libraryKey: group.kind === 'gguf' && use ? cacheItemKey({ type: 'model', id: repoId }, use.commit, use.path) : null };
  }
  const paths = new Set(group.files.map((f) => f.path));
  for (const job of jobs) {
    if (isTerminal(job.state) || job.request.repoType !== 'model' || job.request.repo !== repoId) continue;
    const mine = job.files.filter((f) => paths.has(f.path));
    if (!mine.length && !coversGroup(job, paths)) continue;
    const size = mine.reduce((a, f) => a + f.size, 0);
    const done = mine.reduce((a, f) => a + f.done, 0);
    return { state: 'downloading', percent: size ? Math.floor((done / size) * 100) : 0, jobId: job.id };
  }
  const failed = jobs
    .filter((j) => j.state === 'error' && j.request.repoType === 'model' && j.request.repo === repoId && coversGroup(j, paths))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  return failed ? { state: 'failed', jobId: failed.id } : { state: 'absent' };
}

/** A job asked for (or listed) one of these files: a failure before listing still names them in its request. */
function coversGroup(job: DownloadJob, paths: ReadonlySet<string>): boolean {
  return job.files.some((f) => paths.has(f.path)) || (job.request.files ?? []).some((f) => paths.has(f));
}
