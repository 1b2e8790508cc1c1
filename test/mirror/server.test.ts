/**
 * The mirror's read side of the Hub API (#28.1), compared with what the fakehub (the Hub) answers
 * for the same repo: info and revision info, tree (recursive, one folder, pages), paths-info,
 * resolve with HEAD, Range, conditional requests and the headers Python reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeHub } from '../helpers/hub';
import { buildRepo, type FakeRepo } from '../fakehub/model';
import { seededContent } from '../fakehub/content';
import { standardRepos } from '../fakehub/fixtures';
import { filledCache, KEY, mirrorOver, raw } from './setup';
import { verifyStats } from '../../src-main/mirror/verified-blob';

const REPO = 'acme/tiny-llm';

function manyFiles(): FakeRepo {
  const files: Record<string, string> = {};
  for (let i = 0; i < 70; i++) files[`shards/part-${String(i).padStart(3, '0')}.txt`] = `shard ${i}\n`;
  return buildRepo({ id: 'acme/many', commits: [{ files: { ...files, 'weights.bin': seededContent('w', 200_000) } }] });
}

async function setup() {
  const hub = await fakeHub({ repos: [...standardRepos(), manyFiles()] });
  const cache = await filledCache(hub, [REPO, `${REPO}@v1.0`, 'acme/many']);
  const m = await mirrorOver(cache, hub.url);
  const repo = hub.repos.get(`model:${REPO}`) as FakeRepo;
  return { hub, cache, m, repo, main: repo.refs.get('main') as string, v1: repo.refs.get('v1.0') as string };
}

const json = async (url: string, init?: RequestInit) => {
  const res = await fetch(url, init);
  return { res, body: (await res.json()) as unknown };
};

describe('mirror: the Hub read API from the cache', () => {
  it('answers repo info and revision info as the Hub does (sha, siblings, blobs)', async () => {
    const { hub, m, main, v1 } = await setup();
    const fromHub = (await (await fetch(`${hub.url}/api/models/${REPO}?blobs=true`)).json()) as {
      siblings: { rfilename: string; size: number; blobId: string; lfs?: { sha256: string; size: number } }[];
    };
    const { res, body } = await json(`${m.endpoint}/api/models/${REPO}?blobs=true`);
    expect(res.status).toBe(200);
    const info = body as { id: string; sha: string; private: boolean; gated: boolean; siblings: typeof fromHub.siblings };
    expect(info).toMatchObject({ id: REPO, sha: main, private: false, gated: false });
    const strip = (s: typeof fromHub.siblings) =>
      s
        .map((x) => ({ rfilename: x.rfilename, size: x.size, blobId: x.blobId, lfs: x.lfs ? { sha256: x.lfs.sha256, size: x.lfs.size } : undefined }))
        .sort((a, b) => a.rfilename.localeCompare(b.rfilename));
    expect(strip(info.siblings)).toEqual(strip(fromHub.siblings));
    const byTag = (await json(`${m.endpoint}/api/models/${REPO}/revision/v1.0`)).body as { sha: string };
    expect(byTag.sha).toBe(v1);
    const byCommit = await json(`${m.endpoint}/api/models/${REPO}/revision/${v1}`);
    expect((byCommit.body as { sha: string }).sha).toBe(v1);
    expect(byCommit.res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await json(`${m.endpoint}/api/models/${REPO}/revision/${v1.slice(0, 7)}`)).body).toMatchObject({ sha: v1 });
    const unknown = await fetch(`${m.endpoint}/api/models/${REPO}/revision/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-error-code')).toBe('RevisionNotFound');
    const missing = await fetch(`${m.endpoint}/api/models/acme/not-cached`);
    expect([missing.status, missing.headers.get('x-error-code')]).toEqual([401, 'RepoNotFound']);
  });

  it('lists the tree as the Hub does: recursive, one folder, pages linked with Link', async () => {
    const { hub, m, main } = await setup();
    type Entry = { type: string; oid: string; size?: number; path: string; lfs?: { oid: string; size: number } };
    const pick = (e: Entry[]) =>
      e
        .filter((x) => x.type === 'file')
        .map((x) => ({ oid: x.oid, size: x.size, path: x.path, lfs: x.lfs ? { oid: x.lfs.oid, size: x.lfs.size } : undefined }))
        .sort((a, b) => a.path.localeCompare(b.path));
    const hubTree = (await (await fetch(`${hub.url}/api/models/${REPO}/tree/main?recursive=true`)).json()) as Entry[];
    const { res, body } = await json(`${m.endpoint}/api/models/${REPO}/tree/main?recursive=True`);
    expect(res.headers.get('x-repo-commit')).toBe(main);
    expect(pick(body as Entry[])).toEqual(pick(hubTree));
    // The LFS file's oid is the git sha1 of its pointer, as on the Hub.
    expect((body as Entry[]).find((e) => e.path === 'tiny-llm-Q4_K_M.gguf')?.lfs).toBeDefined();
    const folder = (await json(`${m.endpoint}/api/models/${REPO}/tree/main/sub`)).body as Entry[];
    expect(folder.map((e) => [e.type, e.path])).toEqual([['directory', 'sub/dir']]);
    const top = (await json(`${m.endpoint}/api/models/${REPO}/tree/main`)).body as Entry[];
    expect(top.filter((e) => e.type === 'directory').map((e) => e.path)).toEqual(['sub']);
    expect((await fetch(`${m.endpoint}/api/models/${REPO}/tree/main/nope`)).headers.get('x-error-code')).toBe('EntryNotFound');
    // 71 files and a folder in pages of 50 with expand: a Link to the next page on the address used.
    const first = await fetch(`${m.endpoint}/api/models/acme/many/tree/main?recursive=true&expand=true`);
    const page1 = (await first.json()) as Entry[];
    const link = first.headers.get('link') ?? '';
    expect(page1).toHaveLength(50);
    const next = /^<(http:\/\/[^>]+)>; rel="next"$/.exec(link)?.[1] as string;
    expect(next.startsWith(`${m.endpoint}/api/models/acme/many/tree/main?`)).toBe(true);
    const second = await fetch(next);
    expect(second.headers.get('link')).toBeNull();
    expect(((await second.json()) as Entry[]).length + 50).toBe(72);
  });

  it('answers paths-info for form (Python) and JSON (JS) bodies, leaving unknown paths out', async () => {
    const { m } = await setup();
    const form = await fetch(`${m.endpoint}/api/models/${REPO}/paths-info/main`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'paths=config.json&paths=nope.txt&paths=sub&expand=false',
    });
    expect(((await form.json()) as { path: string; type: string }[]).map((e) => [e.type, e.path])).toEqual([
      ['file', 'config.json'],
      ['directory', 'sub'],
    ]);
    const viaJson = await fetch(`${m.endpoint}/api/models/${REPO}/paths-info/main`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paths: ['README.md'] }),
    });
    expect(((await viaJson.json()) as { path: string }[]).map((e) => e.path)).toEqual(['README.md']);
  });

  it('resolves files with the headers Python reads, by branch, tag and commit, without Xet headers', async () => {
    const { hub, m, main, v1, repo } = await setup();
    const file = repo.commits.at(-1)?.files.get('tiny-llm-Q4_K_M.gguf');
    const head = await fetch(`${m.endpoint}/${REPO}/resolve/main/tiny-llm-Q4_K_M.gguf`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Object.fromEntries([...head.headers].filter(([k]) => !['date', 'connection', 'keep-alive', 'content-disposition'].includes(k)))).toEqual({
      'accept-ranges': 'bytes',
      'cache-control': 'public, max-age=60',
      'content-length': String(file?.content.size),
      'content-type': 'application/octet-stream',
      etag: `"${file?.sha256}"`,
      'x-linked-etag': `"${file?.sha256}"`,
      'x-linked-size': String(file?.content.size),
      'x-repo-commit': main,
    });
    const body = Buffer.from(await (await fetch(`${m.endpoint}/${REPO}/resolve/main/tiny-llm-Q4_K_M.gguf`)).arrayBuffer());
    const upstream = Buffer.from(await (await fetch(`${hub.url}/${REPO}/resolve/main/tiny-llm-Q4_K_M.gguf`)).arrayBuffer());
    expect(body.equals(upstream)).toBe(true);
    // A regular file: its git sha1 is its ETag, as on the Hub.
    const config = await fetch(`${m.endpoint}/${REPO}/resolve/v1.0/config.json`);
    expect(await config.text()).toBe('{"model_type":"llama","v":1}');
    expect(config.headers.get('x-repo-commit')).toBe(v1);
    const byCommit = await fetch(`${m.endpoint}/${REPO}/resolve/${v1}/config.json`, { method: 'HEAD' });
    expect(byCommit.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(byCommit.headers.get('etag')).toBe(config.headers.get('etag'));
    const nested = await fetch(`${m.endpoint}/${REPO}/resolve/main/sub/dir/tokenizer.json`);
    expect(await nested.text()).toBe('{"tokens":[]}');
    const absent = await fetch(`${m.endpoint}/${REPO}/resolve/main/absent.bin`);
    expect([absent.status, absent.headers.get('x-error-code'), absent.headers.get('x-repo-commit')]).toEqual([404, 'EntryNotFound', main]);
    expect(((await absent.json()) as { error: string }).error).toContain('absent.bin');
  });

  it('serves byte ranges (206, Content-Range, 416) and conditional requests (304, If-Range)', async () => {
    const { m, cache } = await setup();
    const url = `${m.endpoint}/${REPO}/resolve/main/tiny-llm-Q8_0.gguf`;
    const whole = Buffer.from(await (await fetch(url)).arrayBuffer());
    const size = whole.length;
    const part = await fetch(url, { headers: { range: 'bytes=100-199' } });
    expect([part.status, part.headers.get('content-range'), part.headers.get('content-length')]).toEqual([206, `bytes 100-199/${size}`, '100']);
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(100, 200))).toBe(true);
    const tail = await fetch(url, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(size - 10))).toBe(true);
    const open = await fetch(url, { headers: { range: `bytes=${size - 5}-` } });
    expect(open.headers.get('content-range')).toBe(`bytes ${size - 5}-${size - 1}/${size}`);
    const past = await fetch(url, { headers: { range: `bytes=${size}-` } });
    expect([past.status, past.headers.get('content-range')]).toEqual([416, `bytes */${size}`]);
    const etag = part.headers.get('etag') as string;
    const notModified = await fetch(url, { headers: { 'if-none-match': etag } });
    expect([notModified.status, notModified.headers.get('etag')]).toEqual([304, etag]);
    const sameRange = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': etag } });
    expect(sameRange.status).toBe(206);
    await sameRange.arrayBuffer();
    const changed = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"other"' } });
    expect([changed.status, changed.headers.get('content-length')]).toEqual([200, String(size)]);
    await changed.arrayBuffer();
    // Each blob was hashed once for all those answers.
    expect(verifyStats.hashed).toBe(1);
    expect(fs.existsSync(path.join(cache, 'models--acme--tiny-llm'))).toBe(true);
  });

  it('counts bytes served and clients for --json', async () => {
    const { m } = await setup();
    await (await fetch(`${m.endpoint}/${REPO}/resolve/main/config.json`)).text();
    const stats = m.mirror.stats();
    expect(stats).toMatchObject({ clients: 1, bytesFromCache: '{"model_type":"llama","v":2}'.length, bytesUpstream: 0, refusedBlobs: 0 });
    expect(stats.requests).toBeGreaterThanOrEqual(1);
  });

  it('has nothing under a wrong or missing key but a plain 404 in the Hub shape', async () => {
    const { m } = await setup();
    for (const target of [`/wrong-key/api/models/${REPO}`, `/api/models/${REPO}`, `/${REPO}/resolve/main/config.json`, '/']) {
      const res = await raw(m.mirror.url, target);
      expect(res.status, target).toBe(404);
      expect(JSON.parse(res.body.toString())).toEqual({ error: 'Not Found' });
      expect(res.body.toString().toLowerCase()).not.toContain('mirror');
    }
    expect((await raw(m.mirror.url, `/${KEY}/api/models/${REPO}`)).status).toBe(200);
  });
});
