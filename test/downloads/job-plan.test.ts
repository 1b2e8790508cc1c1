/**
 * A job's files and which are already here: a blob whose bytes were hashed right before counts as
 * done (and is linked into the snapshot), one never hashed runs (its run checks it), a partial
 * says where a resume starts; offline, only what the cache holds, with what is missing named.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobPath, repoDir, snapshotFilePath, writeRef } from '../../src-main/cache/layout';
import { sha256Once } from '../../src-main/cache/payload-hash';
import { HubHttp } from '../../src-main/hub/http';
import type { PlannedFile } from '../../src-main/hub/resolve';
import { jobFilesOf, planJob, recheck } from '../../src-main/downloads/job-plan';
import type { DownloadJob } from '../../src-main/downloads/types';
import { tmpDir } from '../helpers/tmp';

const COMMIT = 'c'.repeat(40);
const repo = { type: 'model' as const, id: 'acme/plan' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function job(cacheDir: string, over: Partial<DownloadJob['request']> = {}): DownloadJob {
  return {
    id: 'j',
    request: { repoType: 'model', repo: repo.id, revision: 'main', ...over },
    cacheDir,
    commit: null,
    files: [],
    state: 'resolving',
    error: null,
    createdAt: new Date(0).toISOString(),
    finishedAt: null,
    bytesDone: 0,
    bytesTotal: 0,
    speed: 0,
    etaSeconds: null,
    retrying: null,
    skipped: [],
  };
}

function blob(dir: string, bytes: Buffer): PlannedFile {
  fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
  fs.writeFileSync(blobPath(dir, sha(bytes)), bytes);
  return { path: `${sha(bytes).slice(0, 6)}.bin`, size: bytes.length, etag: sha(bytes), lfs: true };
}

describe('job files', () => {
  it('counts a blob hashed right before as done and links it; a never-hashed one and a partial run', async () => {
    const cache = tmpDir();
    const dir = repoDir(cache, repo);
    const checked = blob(dir, Buffer.alloc(3000, 1));
    await sha256Once(blobPath(dir, checked.etag));
    const unchecked = blob(dir, Buffer.alloc(3000, 2));
    const partial: PlannedFile = { path: 'p.bin', size: 5000, etag: 'e'.repeat(64), lfs: true };
    fs.writeFileSync(path.join(dir, 'blobs', `${partial.etag}.0011aabb.incomplete`), Buffer.alloc(1234));
    const files = jobFilesOf(job(cache), dir, COMMIT, [checked, unchecked, partial], false);
    expect(files.map((f) => [f.path, f.state, f.done])).toEqual([
      [checked.path, 'done', 3000],
      [unchecked.path, 'pending', 0],
      ['p.bin', 'pending', 1234],
    ]);
    expect(fs.readFileSync(snapshotFilePath(dir, COMMIT, checked.path)).equals(Buffer.alloc(3000, 1))).toBe(true);
    // --force rehashes what is done: a blob changed since is sent back to be fetched.
    const j = job(cache);
    j.files = files;
    fs.writeFileSync(blobPath(dir, checked.etag), Buffer.alloc(3000, 9));
    await recheck(j, dir, COMMIT);
    expect(j.files[0]).toMatchObject({ state: 'pending', done: 0, replace: true });
  });

  it('offline: plans from the snapshot, and names a file the cache lacks', async () => {
    const cache = tmpDir();
    const dir = repoDir(cache, repo);
    const f = blob(dir, Buffer.from('hello'));
    fs.mkdirSync(path.join(dir, 'snapshots', COMMIT), { recursive: true });
    fs.symlinkSync(path.relative(path.join(dir, 'snapshots', COMMIT), blobPath(dir, f.etag)), snapshotFilePath(dir, COMMIT, 'a.txt'));
    writeRef(dir, 'main', COMMIT);
    const offline = new HubHttp({ endpoint: 'http://127.0.0.1:9', token: () => null, offline: () => true });
    const plan = await planJob(offline, job(cache), repo, dir);
    expect(plan.commit).toBe(COMMIT);
    expect(plan.files).toEqual([{ path: 'a.txt', size: 5, etag: f.etag, lfs: true }]);
    await expect(planJob(offline, job(cache, { files: ['b.txt'] }), repo, dir)).rejects.toMatchObject({ code: 'OFFLINE', message: /b\.txt/ });
    await expect(planJob(offline, job(cache, { revision: 'v2' }), repo, dir)).rejects.toMatchObject({ code: 'OFFLINE' });
  });
});
