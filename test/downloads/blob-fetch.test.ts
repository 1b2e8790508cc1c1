/**
 * fetchBlob on its own: one blob into the cache under its lock, with resume, verification and the
 * retry rules, against the fake Hub (two origins, Range, faults).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchBlob, type BlobRequest, type RetryInfo } from '../../src-main/downloads/blob-fetch';
import { blobLockPath, tryLockFile } from '../../src-main/cache/blob-lock';
import { HubError } from '../../src-main/hub/errors';
import { blobRequest, fakeHub, hubHttp, requestsTo } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';
import { partialOf } from '../helpers/files';
import type { FakeHub } from '../fakehub/server';

const REPO = { type: 'model' as const, id: 'acme/tiny-llm' };
const FILE = 'tiny-llm-Q4_K_M.gguf';
const noSleep = async () => {};

async function request(hub: FakeHub, file = FILE): Promise<BlobRequest> {
  return blobRequest(hub, REPO.id, file);
}

function original(hub: FakeHub, file = FILE): Buffer {
  const repo = hub.repos.get(`model:${REPO.id}`);
  // The newest commit that holds the file (each commit lists its whole tree or only what changed).
  const f = [...(repo?.commits ?? [])]
    .reverse()
    .find((c) => c.files.has(file))
    ?.files.get(file);
  if (!f) throw new Error(`no ${file}`);
  return f.content.read(0, f.content.size);
}

const blobsOf = (req: BlobRequest) => path.join(req.cacheDir, req.repoFolder, 'blobs');

describe('fetchBlob', () => {
  it('downloads an LFS blob from the CDN, verifies it, and leaves only the blob and its lock', async () => {
    const hub = await fakeHub();
    const req = await request(hub);
    const r = await fetchBlob(hubHttp(hub), req, { signal: new AbortController().signal, hashOffThread: false });
    expect(r).toMatchObject({ alreadyPresent: false, waited: false, resumedFrom: 0, bytesFetched: req.size });
    expect(fs.readFileSync(r.path).equals(original(hub))).toBe(true);
    expect(fs.readdirSync(blobsOf(req))).toEqual([req.etag]);
    expect(fs.existsSync(blobLockPath(req.cacheDir, req.repoFolder, req.etag))).toBe(true);
    // The bytes came from the download host, which never saw a token.
    expect(requestsTo(hub, 'cdn').length).toBeGreaterThan(0);
  });

  it('uses a blob of the right size that is already there without asking anyone', async () => {
    const hub = await fakeHub();
    const req = await request(hub);
    fs.mkdirSync(blobsOf(req), { recursive: true });
    fs.writeFileSync(path.join(blobsOf(req), req.etag), original(hub));
    const before = hub.log.length;
    const r = await fetchBlob(hubHttp(hub), req, { signal: new AbortController().signal });
    expect(r.alreadyPresent).toBe(true);
    expect(hub.log.length).toBe(before);
  });

  it("resumes another tool's partial (Python's <etag>.incomplete) with a Range request", async () => {
    const hub = await fakeHub();
    const req = await request(hub);
    const bytes = original(hub);
    fs.mkdirSync(blobsOf(req), { recursive: true });
    fs.writeFileSync(path.join(blobsOf(req), `${req.etag}.incomplete`), bytes.subarray(0, 1_000_000));
    const r = await fetchBlob(hubHttp(hub), req, { signal: new AbortController().signal, hashOffThread: false });
    expect(r.resumedFrom).toBe(1_000_000);
    expect(r.bytesFetched).toBe(req.size - 1_000_000);
    expect(requestsTo(hub, 'cdn', req.etag).some((q) => q.range === 'bytes=1000000-')).toBe(true);
    expect(fs.readFileSync(r.path).equals(bytes)).toBe(true);
    expect(partialOf(path.join(req.cacheDir, req.repoFolder), req.etag)).toBeNull();
  });

  it('retries a dropped connection from the bytes on disk and reports each retry', async () => {
    const hub = await fakeHub();
    const req = await request(hub);
    hub.faults.add({ kind: 'drop', origin: 'cdn', afterBytes: 700_000 });
    const retries: RetryInfo[] = [];
    const r = await fetchBlob(hubHttp(hub), req, {
      signal: new AbortController().signal,
      sleep: noSleep,
      onRetry: (i) => retries.push(i),
      hashOffThread: false,
    });
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, maxAttempts: 8 });
    expect(r.bytesFetched).toBeLessThan(req.size + 700_000);
    expect(fs.readFileSync(r.path).equals(original(hub))).toBe(true);
    const ranges = requestsTo(hub, 'cdn', req.etag).map((q) => q.range);
    expect(ranges.at(-1)).toMatch(/^bytes=\d+-$/);
    expect(ranges.at(-1)).not.toBe('bytes=0-');
  });

  it('fetches a corrupted transfer again, and gives up with nothing saved when it keeps arriving corrupted', async () => {
    const hub = await fakeHub();
    const req = await request(hub);
    hub.faults.add({ kind: 'corrupt', origin: 'cdn', offset: 12345 });
    const once = await fetchBlob(hubHttp(hub), req, { signal: new AbortController().signal, hashOffThread: false });
    expect(fs.readFileSync(once.path).equals(original(hub))).toBe(true);

    const again = { ...(await request(hub)), cacheDir: path.join(tmpDir(), 'hub') };
    hub.faults.add({ kind: 'corrupt', origin: 'cdn', offset: 99, times: Infinity });
    const error = await fetchBlob(hubHttp(hub), again, { signal: new AbortController().signal, hashOffThread: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('INTEGRITY');
    expect((error as HubError).message).toMatch(/arrived corrupted 3 times/);
    expect(fs.existsSync(path.join(blobsOf(again), again.etag))).toBe(false);
    expect(partialOf(path.join(again.cacheDir, again.repoFolder), again.etag)).toBeNull();
  });

  it('waits while another program holds the lock, then uses what it wrote without fetching', async () => {
    const hub = await fakeHub();
    const req = await request(hub);
    fs.mkdirSync(blobsOf(req), { recursive: true });
    const lockPath = blobLockPath(req.cacheDir, req.repoFolder, req.etag);
    fs.mkdirSync(path.dirname(lockPath), { recursive: true });
    const other = await tryLockFile(lockPath);
    if (!other) throw new Error('could not take the lock');
    let waiting = false;
    const pending = fetchBlob(hubHttp(hub), req, { signal: new AbortController().signal, onWaiting: () => (waiting = true) });
    await expect.poll(() => waiting).toBe(true);
    fs.writeFileSync(path.join(blobsOf(req), req.etag), original(hub));
    const before = requestsTo(hub, 'cdn').length;
    await other.release();
    const r = await pending;
    expect(r).toMatchObject({ alreadyPresent: true, waited: true, bytesFetched: 0 });
    expect(requestsTo(hub, 'cdn').length).toBe(before);
  });

  it('stops at once when cancelled, keeping the partial for a resume', async () => {
    const hub = await fakeHub();
    const req = await request(hub);
    hub.faults.add({ kind: 'stall', origin: 'cdn', afterBytes: 400_000 });
    const ctl = new AbortController();
    const pending = fetchBlob(hubHttp(hub), req, {
      signal: ctl.signal,
      onBytes: (_d, position) => position >= 400_000 && ctl.abort(),
      stallTimeoutMs: 30_000,
    });
    const error = await pending.catch((e: unknown) => e);
    expect((error as HubError).code).toBe('CANCELLED');
    const partial = partialOf(path.join(req.cacheDir, req.repoFolder), req.etag);
    expect(partial).not.toBeNull();
    expect(fs.statSync(partial as string).size).toBe(400_000);
  });

  it('refuses an impossible size before touching the disk', async () => {
    const hub = await fakeHub();
    const req = { ...(await request(hub)), size: -1 };
    const error = await fetchBlob(hubHttp(hub), req, { signal: new AbortController().signal }).catch((e: unknown) => e);
    expect((error as HubError).code).toBe('INTEGRITY');
    expect(fs.existsSync(req.cacheDir)).toBe(false);
  });
});
