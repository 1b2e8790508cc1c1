/** Messages between the publish service and its upload worker (plain data: they cross threads). */

export interface CommitFileSpec {
  path: string;
  localPath: string;
  size: number;
  /** A file of this path is on the Hub already: its chunks may be reused (prior-chunks.ts). */
  replaces?: boolean;
}

export interface WorkerInput {
  endpoint: string;
  /** Sent only to the Hub's own origin (HubHttp decides), never to the upload host. */
  token: string | null;
  repo: { type: 'model' | 'dataset'; name: string };
  branch: string;
  isPullRequest: boolean;
  parentCommit: string | null;
  title: string;
  description: string;
  files: CommitFileSpec[];
  /** Small files made here (the card), as text. */
  texts: { path: string; text: string }[];
  /** An upload connection that takes no bytes for this long is cut and tried again. */
  stallMs: number;
  /** Attempts after the first for each idempotent request. */
  retries: number;
  timeoutMs: number | null;
  /** Offer Xet in the LFS batch (default true); false sends large files by basic/multipart LFS. */
  useXet?: boolean;
}

export type CommitPhase = 'preuploading' | 'uploadingLargeFiles' | 'committing';

export type WorkerMessage =
  | {
      type: 'progress';
      phase: CommitPhase;
      hashed: Record<string, number>;
      sent: Record<string, number>;
      /** How the large files travel, once the LFS batch answered. */
      via: 'xet' | 'lfs' | null;
      /** Over Xet: the xorb bytes the CAS took (after dedup and compression). */
      xorbBytes: number;
    }
  | { type: 'done'; commit: { oid: string; url: string }; pullRequestUrl: string | null }
  | { type: 'error'; code: string; message: string; details: Record<string, unknown>; aborted: boolean };

export type WorkerCommand = { type: 'abort' };
