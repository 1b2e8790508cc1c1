/** Download and cache shapes shared by the core and the renderer. */
import type { ApiErrorShape } from './errors';

export type RepoType = 'model' | 'dataset' | 'space';
export type JobState = 'queued' | 'resolving' | 'downloading' | 'paused' | 'done' | 'error' | 'cancelled';
export type FileState = 'pending' | 'downloading' | 'done' | 'error';

export interface JobFile {
  path: string;
  size: number;
  etag: string;
  lfs: boolean;
  done: number;
  state: FileState;
}

export interface DownloadRequest {
  repoType: RepoType;
  repo: string;
  revision: string;
  files?: string[];
  patterns?: string[];
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
  /** An automatic retry in progress, in words. */
  retrying: string | null;
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
