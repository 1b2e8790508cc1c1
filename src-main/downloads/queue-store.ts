/**
 * The download queue on disk (dataDir/downloads.json), so downloads survive a crash or restart: an
 * interrupted job comes back queued and resumes from its .incomplete files. Written atomically.
 */
import path from 'node:path';
import { readOwnFileSync, writePrivateFileAtomic } from '../base/atomic-write';
import type { DownloadJob } from './types';

export interface QueueStore {
  load(): DownloadJob[];
  save(jobs: DownloadJob[]): void;
}

export function fileQueueStore(dataDir: string): QueueStore {
  const file = path.join(dataDir, 'downloads.json');
  return {
    load() {
      try {
        const parsed = JSON.parse(readOwnFileSync(file)) as { version?: number; jobs?: unknown };
        // Our own file, but a hand edit or an older build may leave an entry the engine cannot run: it is dropped, the rest kept.
        return Array.isArray(parsed.jobs) ? parsed.jobs.filter(looksLikeJob) : [];
      } catch {
        return [];
      }
    },
    save(jobs) {
      writePrivateFileAtomic(file, JSON.stringify({ version: 1, jobs }, null, 1));
    },
  };
}

/** The fields the engine reads before anything else: an entry without them would fail on resume. */
function looksLikeJob(j: unknown): j is DownloadJob {
  if (typeof j !== 'object' || j === null) return false;
  const o = j as Record<string, unknown>;
  const request = o.request as Record<string, unknown> | null | undefined;
  return (
    typeof o.id === 'string' &&
    typeof o.state === 'string' &&
    typeof o.cacheDir === 'string' &&
    Array.isArray(o.files) &&
    typeof request === 'object' &&
    request !== null &&
    typeof request.repo === 'string'
  );
}

export function memoryQueueStore(): QueueStore {
  let saved: DownloadJob[] = [];
  return {
    load: () => saved,
    save: (jobs) => {
      saved = structuredClone(jobs);
    },
  };
}
