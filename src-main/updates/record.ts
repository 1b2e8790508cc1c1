/**
 * What updates remember between runs, in the data folder (`updates.json`, ours, written atomically):
 * the last check per repo, pins, which repos answered only with the token, updates under way (so a
 * restart finishes moving the ref once the download is done), revisions an update left behind, and
 * the two preferences. Read back checked: anything malformed is dropped, never trusted.
 */
import path from 'node:path';
import { z } from 'zod';
import { readOwnFileSync, writePrivateFileAtomic } from '../base/atomic-write';
import { COMMIT_RE } from '../contract/ids';
import { UPDATE_STATES } from '../contract/updates';

const Commit = z.string().regex(COMMIT_RE);
const Branch = z.object({
  branch: z.string().max(255),
  cachedCommit: Commit,
  headCommit: Commit.nullable(),
  state: z.enum(UPDATE_STATES),
  message: z.string().max(2000).nullable(),
});
const RepoRecord = z.object({
  checkedAt: z.string().max(40).nullable().default(null),
  branches: z.array(Branch).max(1000).default([]),
  notFollowed: z.array(z.string().max(300)).max(1000).default([]),
  pinned: Commit.nullable().default(null),
  needsToken: z.boolean().default(false),
  previous: z.array(Commit).max(100).default([]),
  running: z
    .object({ branch: z.string().max(255), from: Commit, to: Commit, jobId: z.string().max(100), startedAt: z.string().max(40) })
    .nullable()
    .default(null),
  lastError: z.string().max(2000).nullable().default(null),
});
export type RepoRecord = z.infer<typeof RepoRecord>;

const UpdatesRecord = z.object({
  version: z.literal(1).default(1),
  lastCheckedAt: z.string().max(40).nullable().default(null),
  daily: z.boolean().default(false),
  keepPrevious: z.boolean().default(true),
  repos: z.record(z.string().max(300), RepoRecord).default({}),
});
export type UpdatesRecord = z.infer<typeof UpdatesRecord>;

export const emptyRepoRecord = (): RepoRecord => RepoRecord.parse({});

export class UpdatesStore {
  readonly #file: string;
  data: UpdatesRecord;

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, 'updates.json');
    let parsed: UpdatesRecord | null = null;
    try {
      const r = UpdatesRecord.safeParse(JSON.parse(readOwnFileSync(this.#file)));
      parsed = r.success ? r.data : null;
    } catch {
      parsed = null;
    }
    this.data = parsed ?? UpdatesRecord.parse({});
  }

  repo(key: string): RepoRecord {
    const r = this.data.repos[key] ?? emptyRepoRecord();
    this.data.repos[key] = r;
    return r;
  }

  save(): void {
    try {
      writePrivateFileAtomic(this.#file, JSON.stringify(this.data));
    } catch {
      // a record we cannot write costs the next run a check, nothing more
    }
  }
}
