/**
 * One file of a job on its own (file-run.ts): fetched, linked into the snapshot with its ref and the
 * job's bytes counted; and when another job of ours is already fetching the same blob, no request
 * is made: the file waits for that one and links its result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobPath, readRef, repoDir, snapshotFilePath } from '../../src-main/cache/layout';
import { fileMetadata } from '../../src-main/hub/resolve';
import { ConnectionBudget } from '../../src-main/downloads/connection-controller';
import { runFile, type FileRunContext } from '../../src-main/downloads/file-run';
import { JobEvents } from '../../src-main/downloads/job-events';
import type { DownloadJob, JobFile } from '../../src-main/downloads/types';
import type { HubHttp } from '../../src-main/hub/http';
import { fakeHub, hubHttp, requestsTo } from '../helpers/hub';
import { XET_FILE, XET_REPO, xetRepo } from '../fakehub/xet/fixtures';
import { tmpDir } from '../helpers/tmp';

const repo = { type: 'model' as const, id: 'acme/tiny-llm' };
const FILE = 'tiny-llm-Q4_K_M.gguf';

function context(hub: HubHttp, told: DownloadJob[]): FileRunContext {
  return {
    hub,
    events: new JobEvents({ store: { load: () => [], save: () => undefined }, jobs: () => [], onChange: (j) => told.push(j) }),
    budget: new ConnectionBudget(4),
    blobs: new Map(),
    xetFiles: new Map(),
    downloadLinks: new Map(),
    fileConnections: new WeakMap(),
    disableSymlinks: false,
    disableXet: false,
    tuning: {},
  };
}

async function jobFor(http: HubHttp, of = { repo, path: FILE }): Promise<{ job: DownloadJob; file: JobFile }> {
  const meta = await fileMetadata(http, of.repo, 'main', of.path);
  const file: JobFile = { path: of.path, size: meta.size, etag: meta.etag, lfs: true, state: 'downloading', done: 0 };
  const job: DownloadJob = {
    id: 'j',
    request: { repoType: 'model', repo: of.repo.id, revision: 'main' },
    cacheDir: path.join(tmpDir(), 'hub'),
    commit: meta.commit,
    files: [file],
    state: 'downloading',
    error: null,
    createdAt: new Date(0).toISOString(),
    finishedAt: null,
    bytesDone: 0,
    bytesTotal: meta.size,
    speed: 0,
    etaSeconds: null,
    retrying: null,
    skipped: [],
  };
  return { job, file };
}

describe('runFile', () => {
  it('fetches the blob, links the snapshot entry, writes the ref and counts the bytes', async () => {
    const hub = await fakeHub();
    const http = hubHttp(hub);
    const { job, file } = await jobFor(http);
    const told: DownloadJob[] = [];
    await runFile(context(http, told), job, file, new AbortController().signal);
    const dir = repoDir(job.cacheDir, repo);
    expect(file).toMatchObject({ state: 'done', done: file.size, via: 'http' });
    expect(job.bytesDone).toBe(file.size);
    expect(fs.statSync(snapshotFilePath(dir, job.commit as string, FILE)).size).toBe(file.size);
    expect(readRef(dir, 'main')).toBe(job.commit);
    expect(told.length).toBeGreaterThan(0);
  });

  it('waits for the same blob another job is fetching instead of asking again', async () => {
    const hub = await fakeHub();
    const http = hubHttp(hub);
    const { job, file } = await jobFor(http);
    const ctx = context(http, []);
    const dir = repoDir(job.cacheDir, repo);
    const blob = blobPath(dir, file.etag);
    let finish: () => void = () => undefined;
    ctx.blobs.set(
      blob,
      new Promise((resolve) => {
        finish = () => {
          // The other job's result: the blob in place.
          fs.mkdirSync(path.dirname(blob), { recursive: true });
          fs.writeFileSync(blob, Buffer.alloc(file.size));
          resolve({ fresh: true });
        };
      }),
    );
    const before = requestsTo(hub, 'cdn').length;
    const run = runFile(ctx, job, file, new AbortController().signal);
    finish();
    await run;
    expect(file).toMatchObject({ state: 'done', via: 'present' });
    expect(requestsTo(hub, 'cdn').length).toBe(before);
    expect(fs.lstatSync(snapshotFilePath(dir, job.commit as string, FILE)).isSymbolicLink()).toBe(true);
  });

  it('asks the read token at the route this job’s resolve named, never at another job’s', async () => {
    const hub = await fakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: 1 << 20 } });
    const http = hubHttp(hub);
    const xetRepoRef = { type: 'model' as const, id: XET_REPO };
    const meta = await fileMetadata(http, xetRepoRef, 'main', XET_FILE);
    const route = `${hub.url}/api/models/${XET_REPO}/xet-read-token/${meta.commit}`;
    for (const [owner, expected] of [
      ['another job', ''],
      ['j', '?from=this-job'],
    ] as const) {
      const { job, file } = await jobFor(http, { repo: xetRepoRef, path: XET_FILE });
      const ctx = context(http, []);
      ctx.xetFiles.set(file.etag, {
        hash: meta.xetHash as string,
        auth: { job: owner, url: `${route}${owner === 'j' ? '?from=this-job' : '?from=another-job'}` },
      });
      const before = hub.log.length;
      await runFile(ctx, job, file, new AbortController().signal);
      expect(file).toMatchObject({ state: 'done', via: 'xet' });
      const asked = hub.log.slice(before).filter((r) => r.url.includes('/xet-read-token/'));
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.every((r) => r.url === `/api/models/${XET_REPO}/xet-read-token/${meta.commit}${expected}`)).toBe(true);
    }
  });
});
