import type { ApiErrorShape } from '../contract/errors';
import type { RepoType } from '../hub/repo-id';

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
  /** Bytes per second, smoothed. */
  speed: number;
  etaSeconds: number | null;
  /** Automatic retries of transient failures in progress (shown as "retrying…"). */
  retrying: string | null;
}
