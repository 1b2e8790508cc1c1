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
        const parsed = JSON.parse(readOwnFileSync(file)) as { version?: number; jobs?: DownloadJob[] };
        return Array.isArray(parsed.jobs) ? parsed.jobs : [];
      } catch {
        return [];
      }
    },
    save(jobs) {
      writePrivateFileAtomic(file, JSON.stringify({ version: 1, jobs }, null, 1));
    },
  };
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
