/**
 * Downloading into a plain folder (`hubcap download --local-dir`, "Download to a folder…"): files
 * at their real paths with huggingface_hub's local-dir metadata beside them, so Python's
 * `hf download --local-dir` and Hubcap complete each other's folders without refetching.
 */
import { z } from 'zod';
import { RepoKeySchema } from './keys';
import { event, request } from './request';

export type LocalDirVia = 'present' | 'hashed' | 'cache' | 'network';

export interface LocalDirResultView {
  dir: string;
  commit: string;
  /**
   * Each file and how it came: already there (by its metadata or its hash), from the cache, or from
   * the network, and then by which road; `xetHashDiffers`: its sha256 held, not its Xet hash (#25.2).
   */
  files: {
    path: string;
    size: number;
    via: LocalDirVia;
    protocol?: 'xet' | 'http';
    xetHashDiffers?: boolean;
    bytesFetched: number;
    resumedFrom: number;
  }[];
  skipped: { path: string; reason: string }[];
  bytesFetched: number;
  bytesFromCache: number;
}

export const LocalDirInput = z
  .object({
    repo: RepoKeySchema,
    revision: z.string().min(1).max(256).optional(),
    /** Paths, or fnmatch patterns (`*.gguf`); everything when absent. */
    files: z.array(z.string().min(1).max(1024)).max(10_000).optional(),
    dir: z.string().min(1).max(4096),
    /** Replace files there that are not this revision's (otherwise each is refused, with both sides named). */
    overwrite: z.boolean().optional(),
  })
  .strict();
export type LocalDirInput = z.infer<typeof LocalDirInput>;

/** How far a folder download is (at most a few a second): the file being placed and the bytes so far. */
export interface LocalDirProgress {
  dir: string;
  file: string;
  filesDone: number;
  files: number;
  /** Bytes of the current file on disk so far (resumed ones included), and its size. */
  bytes: number;
  size: number;
}

export const localDirEvents = {
  'localDir.progress': event<LocalDirProgress>(),
} as const;

export const localDirRequests = {
  'localDir.download': request<LocalDirResultView>()(LocalDirInput),
  /** Stops the folder downloads into `dir` now running: each ends CANCELLED, its temp file left under Python's name for the next run (Hubcap's or hf download's) to resume. */
  'localDir.cancel': request<{ cancelled: number }>()(z.object({ dir: z.string().min(1).max(4096) }).strict()),
} as const;
