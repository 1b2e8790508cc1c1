/** The download queue kept across restarts: written privately and atomically, an unreadable file read as an empty queue; the CLI's memory queue keeps its own copy. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileQueueStore, memoryQueueStore } from '../../src-main/downloads/queue-store';
import type { DownloadJob } from '../../src-main/downloads/types';
import { tmpDir } from '../helpers/tmp';

const job = (id: string) =>
  ({ id, state: 'queued', cacheDir: '/c', files: [], request: { repo: 'org/m', repoType: 'model', revision: 'main' } }) as unknown as DownloadJob;

describe('the download queue on disk', () => {
  it('comes back as it was saved, from a 0600 file with no temp file left', () => {
    const dir = tmpDir();
    const store = fileQueueStore(dir);
    expect(store.load()).toEqual([]);
    store.save([job('a'), job('b')]);
    expect(
      fileQueueStore(dir)
        .load()
        .map((j) => j.id),
    ).toEqual(['a', 'b']);
    expect(fs.statSync(path.join(dir, 'downloads.json')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['downloads.json']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'downloads.json'), 'utf8'))).toMatchObject({ version: 1 });
  });

  it('reads a torn or foreign file as an empty queue instead of failing the start', () => {
    for (const text of ['{"version":1,"jobs":[', 'null', '{"jobs":"all"}', '[]']) {
      const dir = tmpDir();
      fs.writeFileSync(path.join(dir, 'downloads.json'), text);
      expect(fileQueueStore(dir).load(), text).toEqual([]);
    }
  });
});

describe('entries the engine cannot run', () => {
  it('are dropped one by one, the good ones kept', () => {
    const dir = tmpDir();
    const bad = [null, 7, 'job', {}, { id: 'x', state: 'queued' }, { ...job('y'), request: null }, { ...job('z'), files: 'all' }];
    fs.writeFileSync(path.join(dir, 'downloads.json'), JSON.stringify({ version: 1, jobs: [job('a'), ...bad, job('b')] }));
    expect(
      fileQueueStore(dir)
        .load()
        .map((j) => j.id),
    ).toEqual(['a', 'b']);
  });
});

describe('the memory queue (the CLI’s downloads are not the app’s)', () => {
  it('keeps a copy: a job changed after saving is not changed in the store', () => {
    const store = memoryQueueStore();
    const jobs = [job('a')];
    store.save(jobs);
    (jobs[0] as { state: string }).state = 'done';
    expect(store.load()[0]?.state).toBe('queued');
  });
});
