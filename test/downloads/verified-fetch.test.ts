/**
 * fetchIntoPath, the engine's reusable form: a file of known etag and size fetched into a named
 * temp file (not the cache), resuming what it holds, verified before it resolves, and left there for
 * the caller to rename; by Xet for a Xet file, by the whole-file URL otherwise.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchIntoPath } from '../../src-main/downloads/verified-fetch';
import { rangesPathOf } from '../../src-main/downloads/range-state';
import { mixedXetContent, XET_FILE, XET_REPO, xetRepo } from '../fakehub/xet/fixtures';
import type { FakeHub } from '../fakehub/server';
import { blobRequest, fakeHub, hubHttp, requestsTo } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';

const FILE = 'tiny-llm-Q4_K_M.gguf';
const REPO = 'acme/tiny-llm';
const never = () => new AbortController().signal;

function original(hub: FakeHub, repo: string, file: string): Buffer {
  const r = hub.repos.get(`model:${repo}`);
  const f = [...(r?.commits ?? [])]
    .reverse()
    .find((c) => c.files.has(file))
    ?.files.get(file);
  if (!f) throw new Error(`no ${file}`);
  return f.content.read(0, f.content.size);
}

async function target(hub: FakeHub, repo: string, file: string) {
  const req = await blobRequest(hub, repo, file);
  const partial = path.join(tmpDir(), 'folder', '.cache', 'download', `${req.etag}.1234abcd.incomplete`);
  return { url: req.url, etag: req.etag, size: req.size, ctx: req.ctx, partial };
}

describe('fetchIntoPath', () => {
  it('fills a named temp file outside any cache, verified, and leaves it there', async () => {
    const hub = await fakeHub();
    const req = await target(hub, REPO, FILE);
    const r = await fetchIntoPath(hubHttp(hub), req, { signal: never(), hashOffThread: false });
    expect(r).toMatchObject({ path: req.partial, resumedFrom: 0, bytesFetched: req.size, protocol: 'http' });
    expect(fs.readFileSync(req.partial).equals(original(hub, REPO, FILE))).toBe(true);
    // Nothing but the file itself: no record, no cache folders.
    expect(fs.readdirSync(path.dirname(req.partial))).toEqual([path.basename(req.partial)]);
  });

  it('resumes the bytes the temp file already holds with a Range request', async () => {
    const hub = await fakeHub();
    const req = await target(hub, REPO, FILE);
    const bytes = original(hub, REPO, FILE);
    fs.mkdirSync(path.dirname(req.partial), { recursive: true });
    fs.writeFileSync(req.partial, bytes.subarray(0, 500_000));
    const r = await fetchIntoPath(hubHttp(hub), req, { signal: never(), hashOffThread: false });
    expect(r.resumedFrom).toBe(500_000);
    expect(r.bytesFetched).toBe(req.size - 500_000);
    expect(requestsTo(hub, 'cdn', req.etag).some((q) => q.range === 'bytes=500000-')).toBe(true);
    expect(fs.readFileSync(req.partial).equals(bytes)).toBe(true);
  });

  it('starts over when the temp file is longer than the file, and never resolves with wrong bytes', async () => {
    const hub = await fakeHub();
    const req = await target(hub, REPO, FILE);
    fs.mkdirSync(path.dirname(req.partial), { recursive: true });
    fs.writeFileSync(req.partial, Buffer.alloc(req.size + 10, 7));
    hub.faults.add({ kind: 'corrupt', origin: 'cdn', offset: 4321 });
    const r = await fetchIntoPath(hubHttp(hub), req, { signal: never(), hashOffThread: false });
    expect(r.resumedFrom).toBe(0);
    expect(createHash('sha256').update(fs.readFileSync(req.partial)).digest('hex')).toBe(req.etag);
  });

  it('takes the Xet road for a Xet file and leaves no journal behind', async () => {
    const hub = await fakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: 1 << 20 } });
    const req = await target(hub, XET_REPO, XET_FILE);
    const repo = hub.repos.get(`model:${XET_REPO}`);
    const entry = repo?.commits[0]?.files.get(XET_FILE);
    const xetHash = repo && entry ? hub.xet?.fileOf(repo, entry)?.hash : undefined;
    if (!xetHash) throw new Error('no Xet hash');
    const r = await fetchIntoPath(
      hubHttp(hub),
      { ...req, xet: { hash: xetHash, refreshUrl: `${hub.url}/api/models/${XET_REPO}/xet-read-token/main` } },
      { signal: never(), hashOffThread: false },
    );
    expect(r.protocol).toBe('xet');
    const mixed = mixedXetContent();
    expect(fs.readFileSync(req.partial).equals(mixed.read(0, mixed.size))).toBe(true);
    expect(fs.existsSync(rangesPathOf(req.partial))).toBe(false);
    expect(requestsTo(hub, 'cdn')).toEqual([]);
  });

  it('refuses a temp name that is not an .incomplete file before asking anyone', async () => {
    const hub = await fakeHub();
    const req = await target(hub, REPO, FILE);
    const before = hub.log.length;
    await expect(fetchIntoPath(hubHttp(hub), { ...req, partial: req.partial.replace(/\.incomplete$/, '') }, { signal: never() })).rejects.toThrow(
      /\.incomplete/,
    );
    expect(hub.log.length).toBe(before);
  });
});
