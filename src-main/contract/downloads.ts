/** Download and cache shapes shared by the core and the renderer. */
import type { ApiErrorShape } from './errors';

export type RepoType = 'model' | 'dataset' | 'space';
export type JobState = 'queued' | 'resolving' | 'downloading' | 'paused' | 'done' | 'error' | 'cancelled';
/** `waiting`: another program (Python, a second Hubcap) holds the file's lock and is downloading it. */
export type FileState = 'pending' | 'waiting' | 'downloading' | 'done' | 'error';

export interface JobFile {
  path: string;
  size: number;
  etag: string;
  lfs: boolean;
  done: number;
  state: FileState;
  /** Fetch it even though a blob of its size is present (verify found it corrupt). */
  replace?: boolean;
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
  /** Files of the selection Hubcap will not store (names no file system can hold), with why. */
  skipped: { path: string; reason: string }[];
}

export interface CacheRevisionView {
  commit: string;
  refs: string[];
  sizeOnDisk: number;
  nbFiles: number;
  lastModified: number;
}

export interface CacheRepoView {
  /** "model:org/name": the key for actions. */
  key: string;
  type: RepoType;
  id: string;
  path: string;
  sizeOnDisk: number;
  nbFiles: number;
  lastAccessed: number;
  lastModified: number;
  revisions: CacheRevisionView[];
}

export interface LooseFileView {
  path: string;
  repo: string;
  size: number;
  lastModified: number;
  /** Being written by a download right now. */
  active?: boolean;
}

export interface CacheOverview {
  root: string;
  exists: boolean;
  sizeOnDisk: number;
  repos: CacheRepoView[];
  warnings: { kind: string; path: string; message: string; repo?: string }[];
  incomplete: LooseFileView[];
  orphans: LooseFileView[];
  scannedAt: string;
}

export interface CacheFileView {
  path: string;
  size: number;
  linked: boolean;
  lastAccessed: number;
}

export interface DeletePlanView {
  freedBytes: number;
  summary: { label: string; bytes: number }[];
  counts: { repos: number; revisions: number; blobs: number; files: number };
}

export interface VerifyView {
  checked: number;
  corrupt: { etag: string; files: string[] }[];
  /** Copies whose expected hash is not known here (no recorded listing, and the Hub not asked). */
  unverifiable: string[];
}
