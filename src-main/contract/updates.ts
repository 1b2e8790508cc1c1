/**
 * Model updates (#26): whether a branch a cached repo follows moved on the Hub, what changed
 * (commits, files, GGUF metadata, bytes that would travel), updating to the new head (the ref moves
 * only once the new revision is complete and verified), pinning, and removing the previous revision.
 */
import { z } from 'zod';
import { COMMIT_RE } from './ids';
import type { OtherApp } from './apps';
import type { DeletePlanView } from './cache';
import { RepoKeySchema } from './keys';
import { Empty, event, request } from './request';

/**
 * One followed branch's state after a check. `available`: the branch moved and the new head
 * descends from the cached commit; `diverged`: it moved to a head that does not (a force-push);
 * `branch-gone`: the branch no longer exists; `gone`: the repo was deleted (or became private);
 * `gated`: the repo now asks for access this account does not have; `rate-limited`: the Hub asked
 * us to slow down and the check gave up for now; `error`: anything else, said in `message`.
 */
export const UPDATE_STATES = ['up-to-date', 'available', 'diverged', 'branch-gone', 'gone', 'gated', 'rate-limited', 'error'] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];

export interface BranchStatus {
  branch: string;
  /** The commit refs/<branch> points at in the cache. */
  cachedCommit: string;
  /** The branch's head on the Hub at the last check (null when unknown). */
  headCommit: string | null;
  state: UpdateState;
  /** One sentence for people, when the state needs one. */
  message: string | null;
}

/** An update running: the download of the new revision, then the ref moves. */
export interface RunningUpdate {
  branch: string;
  from: string;
  to: string;
  jobId: string;
  startedAt: string;
}

export interface RepoUpdates {
  /** The cache repo key (`model:org/name`). */
  repo: string;
  id: string;
  /** Pinned to this commit: never offered an update (no badge). */
  pinned: string | null;
  branches: BranchStatus[];
  /** Refs that are not followed, with why ("v1.0 is a tag"). */
  notFollowed: string[];
  checkedAt: string | null;
  /** Revisions an update left behind, kept until the user removes them. */
  previous: string[];
  running: RunningUpdate | null;
  /** The last update's failure, if it failed (nothing was lost: the ref still points at the old revision). */
  lastError: string | null;
}

/** A model in another app's folder whose Hub origin is known, checked against the Hub's main. */
export interface FoundUpdate {
  path: string;
  app: OtherApp;
  repo: string;
  file: string;
  state: 'up-to-date' | 'changed' | 'removed' | 'gone' | 'gated' | 'rate-limited' | 'error';
  message: string | null;
  newSize: number | null;
}

export interface UpdatesView {
  repos: RepoUpdates[];
  found: FoundUpdate[];
  /** When the last check of every repo finished (ISO), null before the first. */
  lastCheckedAt: string | null;
  checking: boolean;
  offline: boolean;
  /** The two settings: check daily in the background; keep the previous revision after an update. */
  daily: boolean;
  keepPrevious: boolean;
}

export interface CommitSummary {
  id: string;
  title: string;
  date: string;
  authors: string[];
}

export interface GgufChange {
  key: string;
  change: 'added' | 'removed' | 'changed';
  /** Values shortened for display (a chat template is long); arrays as their length. */
  before: string | null;
  after: string | null;
}

export interface FileChange {
  path: string;
  change: 'added' | 'removed' | 'changed' | 'renamed' | 'same';
  /** For a rename: the old path (the same bytes). */
  from?: string;
  oldSize: number | null;
  newSize: number | null;
  /** Part of what an update fetches (the files this cache has of the repo, and what they became). */
  selected: boolean;
  /** A GGUF whose header changed: which metadata keys (chat template, tokenizer, architecture…). */
  gguf?: GgufChange[];
  /** Why the GGUF's metadata could not be compared, when it could not. */
  ggufNote?: string;
  /** Something to know about its bytes (an old copy that no longer matches its sha256: nothing reused). */
  note?: string;
}

export interface UpdateDetails {
  repo: string;
  branch: string;
  from: string;
  to: string;
  /** The new head does not descend from the cached commit (a force-push): updating replaces history. */
  diverged: boolean;
  /** Newest first; `commitsComplete` false when the list was cut (too long, or history diverged). */
  commits: CommitSummary[];
  commitsComplete: boolean;
  files: FileChange[];
  /** Size of the new revision's files this update fetches. */
  newRevisionBytes: number;
  /** Bytes that would cross the network: changed files less what this machine already holds. */
  bytesToTravel: number;
  /** How `bytesToTravel` was counted: whole files not already in the cache, or after reuse of local Xet chunks. */
  estimate: 'whole-files' | 'xet-chunks';
  /** "3 files changed · 41.2 GB new revision · 212 MB to download". */
  summary: string;
}

const RepoInput = z.object({ repo: RepoKeySchema, branch: z.string().min(1).max(255).optional() }).strict();

export const updatesRequests = {
  /** What is known, without asking the Hub. */
  'updates.status': request<UpdatesView>()(Empty),
  /** Asks the Hub about every cached repo (or these), one light request each, paced. */
  'updates.check': request<UpdatesView>()(z.object({ repos: z.array(RepoKeySchema).max(10_000).optional() }).strict()),
  'updates.details': request<UpdateDetails>()(RepoInput),
  /** Fetches the new revision, then moves the ref; a diverged branch only with `allowDiverged`. */
  'updates.apply': request<RepoUpdates>()(RepoInput.extend({ allowDiverged: z.boolean().optional() }).strict()),
  'updates.pin': request<RepoUpdates>()(z.object({ repo: RepoKeySchema, pinned: z.boolean() }).strict()),
  /** What removing a previous revision frees, exactly (the cache's delete plan). */
  'updates.planRemovePrevious': request<DeletePlanView>()(z.object({ repo: RepoKeySchema, commit: z.string().regex(COMMIT_RE) }).strict()),
  /** Removes a previous revision; refused while a model runs from it (Chat or the Local API). */
  'updates.removePrevious': request<DeletePlanView & { errors: string[] }>()(z.object({ repo: RepoKeySchema, commit: z.string().regex(COMMIT_RE) }).strict()),
  'updates.setPreferences': request<UpdatesView>()(z.object({ daily: z.boolean().optional(), keepPrevious: z.boolean().optional() }).strict()),
} as const;

export const updatesEvents = {
  'updates.changed': event<UpdatesView>(),
} as const;
