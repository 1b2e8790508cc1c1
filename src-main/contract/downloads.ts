/** Downloads: jobs as persisted and shown, and the download requests. */
import { z } from 'zod';
import { COMMIT_RE } from './ids';
import type { ApiErrorShape } from './errors';
import { REPO_TYPES, type RepoType } from './keys';
import { Empty, event, request } from './request';

export type { RepoType };
export type JobState = 'queued' | 'resolving' | 'downloading' | 'paused' | 'done' | 'error' | 'cancelled';
/** `waiting`: another program (Python, a second Hubcap) holds the file's lock and is downloading it. */
export type FileState = 'pending' | 'waiting' | 'downloading' | 'done' | 'error';

/**
 * How a file's bytes came: `xet` (xorb ranges from the Hub's CAS), `http` (the classic whole-file
 * download), or from this machine with no byte downloaded: `local` (the same blob in another repo
 * of the cache), `store` (linked from the shared blob store), `present` (already in place).
 */
export type FileVia = 'xet' | 'http' | 'local' | 'store' | 'present';

/** Bytes that did not travel (what deduplication saved): from this machine, or a file's repeats fetched once. */
export function savedBytes(files: readonly JobFile[]): number {
  return files.reduce(
    (sum, f) => sum + (f.via === 'local' || f.via === 'store' || f.via === 'present' ? f.size : (f.reusedBytes ?? 0) + (f.repeatedBytes ?? 0)),
    0,
  );
}

/** Per file, the older local copies that no longer match their sha256 (nothing reused from them); empty when none. */
export function staleSourcesOf(files: readonly JobFile[]): Record<string, string[]> {
  return Object.fromEntries(files.filter((f) => f.staleSources?.length).map((f) => [f.path, [...(f.staleSources ?? [])]]));
}

export interface JobFile {
  path: string;
  size: number;
  etag: string;
  lfs: boolean;
  done: number;
  state: FileState;
  /** Fetch it even though a blob of its size is present (verify found it corrupt). */
  replace?: boolean;
  /** Once done: how its bytes came. */
  via?: FileVia;
  /** Via Xet: bytes of it taken from other local files (an older revision: a delta update) instead of fetched. */
  reusedBytes?: number;
  /**
   * Via Xet: bytes of it written from chunks the file itself repeats, each fetched once (a range
   * serving several of its terms, or a later plan window's repeat copied from the temp file).
   */
  repeatedBytes?: number;
  /**
   * Via Xet: older local copies of it (their paths) that no longer match their sha256, so nothing was
   * reused from them and their share of the file travelled (#26.6).
   */
  staleSources?: string[];
  /**
   * Via Xet: its sha256 held (the file is kept: the sha256 is its name and decides), but the Xet
   * file hash of the chunks the CAS served was not the one the Hub named (#25.2: say which failed).
   */
  xetHashDiffers?: boolean;
  /** Bytes of a present blob hashed so far, while it is checked before it is trusted (big files). */
  checking?: { done: number; total: number };
}

export interface DownloadRequest {
  repoType: RepoType;
  repo: string;
  revision: string;
  files?: string[];
  patterns?: string[];
  /** The commit the user saw for `revision`: downloaded, and written as refs/<revision>. */
  commit?: string;
  /** Rehash files already present and fetch again those whose bytes do not match. */
  force?: boolean;
  /** Range connections for this job's large files: 'auto' or the most (default: the setting). */
  connections?: 'auto' | number;
}

/** An automatic retry in progress: what failed, and when the next attempt starts. */
export interface RetryState {
  message: string;
  attempt: number;
  maxAttempts: number;
  /** ISO time of the next attempt (for a live countdown). */
  nextAt: string;
}

/** A download job as persisted and as shown (speed and ETA are live only). */
export interface DownloadJob {
  id: string;
  request: DownloadRequest;
  cacheDir: string;
  commit: string | null;
  files: JobFile[];
  state: JobState;
  error: ApiErrorShape | null;
  createdAt: string;
  finishedAt: string | null;
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second, smoothed over a few seconds. */
  speed: number;
  etaSeconds: number | null;
  retrying: RetryState | null;
  /** Range connections in use now, across the job's files (live only). */
  connections?: number;
  /** Files of the selection Hubcap will not store (names no file system can hold), with why. */
  skipped: { path: string; reason: string }[];
}

// Zod-free, for the renderer's shell; one home, re-exported here for everyone else.
export { isTerminal, TERMINAL_JOB_STATES } from './present/job-state';

/** A pattern (fnmatch, as Python's allow_patterns) rather than a file name. */
export function isPattern(selector: string): boolean {
  return /[*?[]/.test(selector);
}

/** "config.json *.gguf" → exact files and patterns, as the download form and the CLI read them. */
export function splitSelection(selectors: string[]): { files: string[]; patterns: string[] } {
  return { files: selectors.filter((s) => !isPattern(s)), patterns: selectors.filter(isPattern) };
}

// ---------- requests and events ----------

const JobId = z.uuid('Not a download id.');

/** A single download may ask for more range connections than the everyday setting allows. */
export const JOB_CONNECTION_BOUNDS = { min: 1, max: 16 } as const;
const RepoPathList = z.array(z.string().min(1).max(1024)).max(1000);

export const DownloadStart = z
  .object({
    repo: z.string().trim().min(1, 'Enter a repo id, like org/model.').max(200),
    repoType: z.enum(REPO_TYPES).default('model'),
    revision: z.string().trim().min(1).max(255).default('main'),
    /** The commit the page showed for `revision`: downloaded, and written as refs/<revision>. */
    commit: z.string().regex(COMMIT_RE, 'Not a commit id.').optional(),
    files: RepoPathList.optional(),
    patterns: RepoPathList.optional(),
    /** Rehash what is present and fetch again what does not match. */
    force: z.boolean().optional(),
    /** Range connections for this download's large files: 'auto' or the most (default: the setting). */
    connections: z.union([z.literal('auto'), z.number().int().min(JOB_CONNECTION_BOUNDS.min).max(JOB_CONNECTION_BOUNDS.max)]).optional(),
  })
  .strict();

export const downloadRequests = {
  'downloads.list': request<DownloadJob[]>()(Empty),
  'downloads.start': request<DownloadJob>()(DownloadStart),
  'downloads.pause': request<DownloadJob>()(z.object({ id: JobId }).strict()),
  'downloads.resume': request<DownloadJob>()(z.object({ id: JobId }).strict()),
  'downloads.retry': request<DownloadJob>()(z.object({ id: JobId }).strict()),
  'downloads.cancel': request<DownloadJob>()(z.object({ id: JobId, keepPartial: z.boolean().default(false) }).strict()),
  'downloads.remove': request<{ removed: true }>()(z.object({ id: JobId }).strict()),
} as const;

export const downloadEvents = {
  'downloads.changed': event<DownloadJob>(),
} as const;
