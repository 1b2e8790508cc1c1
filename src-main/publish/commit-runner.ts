/**
 * Starts the upload worker for one commit and turns its messages into progress and a result.
 * Built: the `publish-worker.js` bundle beside the entry (its path is passed in). From source
 * (tests, `tsx`): the TypeScript entry through tsx's loader, registered inside the worker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sourceWorker } from '../base/source-worker';
import { ApiError, type ErrorCode } from '../contract/errors';
import { HubError } from '../hub/errors';
import type { CommitPhase, WorkerCommand, WorkerInput, WorkerMessage } from './worker-protocol';

export interface CommitProgress {
  phase: CommitPhase;
  hashed: Record<string, number>;
  sent: Record<string, number>;
  via: 'xet' | 'lfs' | null;
  xorbBytes: number;
}

export interface CommitResult {
  commit: { oid: string; url: string };
  pullRequestUrl: string | null;
}

export interface CommitRun {
  done: Promise<CommitResult>;
  abort(): void;
}

export type UploadWorkerFactory = (input: WorkerInput) => Worker;

/** The worker from a built bundle when there is one, else from the TypeScript source. */
export function uploadWorkerFactory(builtEntry?: string): UploadWorkerFactory {
  if (builtEntry && fs.existsSync(builtEntry)) return (input) => new Worker(builtEntry, { workerData: input });
  // A path built at run time, so the bundler never mistakes it for an asset to bundle.
  const source = path.join(path.dirname(fileURLToPath(import.meta.url)), 'upload-worker.ts');
  return (input) => sourceWorker(source, input);
}

export function runCommit(input: WorkerInput, factory: UploadWorkerFactory, onProgress: (p: CommitProgress) => void): CommitRun {
  const worker = factory(input);
  let settled = false;
  const done = new Promise<CommitResult>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress({ phase: m.phase, hashed: m.hashed, sent: m.sent, via: m.via, xorbBytes: m.xorbBytes });
      else if (m.type === 'done') {
        settled = true;
        resolve({ commit: m.commit, pullRequestUrl: m.pullRequestUrl });
      } else {
        settled = true;
        const code = (m.aborted ? 'CANCELLED' : m.code) as ErrorCode;
        reject(
          m.details && typeof m.details === 'object' && 'status' in m.details
            ? new HubError(code, m.message, m.details)
            : new ApiError(code, m.message, m.details),
        );
      }
    });
    worker.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(new ApiError('INTERNAL', `The upload stopped: ${error.message}`));
    });
    worker.on('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new ApiError('INTERNAL', `The upload worker exited (code ${code}) before finishing.`));
    });
  });
  void done.finally(() => void worker.terminate()).catch(() => undefined);
  return {
    done,
    abort: () => worker.postMessage({ type: 'abort' } satisfies WorkerCommand),
  };
}
