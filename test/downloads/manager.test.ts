/** The download manager against fakehub: layout, auth policy, faults, pause/resume, sharing, offline. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCache } from '../../src-main/cache/scan';
import { fileQueueStore } from '../../src-main/downloads/queue-store';
import { DownloadManager } from '../../src-main/downloads/manager';
import { download, fakeHub, hubHttp, manager, requestsTo } from '../helpers/hub';
import { partialOf } from '../helpers/files';
import { tinyLlm, MiB, TOKENS } from '../fakehub/fixtures';
import { tmpDir } from '../helpers/tmp';

const ALICE = Object.keys(TOKENS)[0] as string;
const repo = tinyLlm();
const main = repo.commits[1];
const v1 = repo.commits[0];
const q4 = v1?.files.get('tiny-llm-Q4_K_M.gguf');
const q8 = v1?.files.get('tiny-llm-Q8_0.gguf');

function sha256File(p: string) {
  return createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}

const repoFolder = (cache: string) => path.join(cache, 'models--acme--tiny-llm');

describe('downloads: Python-compatible cache layout', () => {
  it('downloads a whole revision into blobs/, snapshots/<commit>/ and refs/main', async () => {
    const hub = await fakeHub();
    const { m, cache } = manager(hubHttp(hub));
    const job = await download(m, { repo: 'acme/tiny-llm' });
    expect(job.state).toBe('done');
    expect(job.commit).toBe(main?.sha);
    const dir = repoFolder(cache);
    expect(fs.readFileSync(path.join(dir, 'refs', 'main'), 'utf8')).toBe(main?.sha);
    const link = path.join(dir, 'snapshots', main?.sha as string, 'tiny-llm-Q4_K_M.gguf');
    expect(fs.readlinkSync(link)).toBe(`../../blobs/${q4?.sha256}`);
    expect(fs.readlinkSync(path.join(dir, 'snapshots', main?.sha as string, 'sub', 'dir', 'tokenizer.json'))).toMatch(
      /^\.\.\/\.\.\/\.\.\/\.\.\/blobs\/[0-9a-f]{40}$/,
    );
    expect(sha256File(link)).toBe(q4?.sha256);
    // Regular files are named by their git blob sha1, as Python names them.
    const config = main?.files.get('config.json');
    expect(fs.existsSync(path.join(dir, 'blobs', config?.oid as string))).toBe(true);
    expect(fs.existsSync(path.join(cache, 'CACHEDIR.TAG'))).toBe(true);
    const scan = scanCache(cache);
    expect(scan.warnings).toEqual([]);
    expect(scan.repos[0]?.revisions[0]?.files).toHaveLength(5);
    expect(scan.incomplete).toEqual([]);
  });

  it('downloads a filtered set with Python allow_patterns semantics', async () => {
    const hub = await fakeHub();
    const { m, cache } = manager(hubHttp(hub));
    const job = await download(m, { repo: 'acme/tiny-llm', patterns: ['*.json', '*Q4_K_M.gguf'] });
    expect(job.files.map((f) => f.path).sort()).toEqual(['config.json', 'sub/dir/tokenizer.json', 'tiny-llm-Q4_K_M.gguf']);
    expect(fs.existsSync(path.join(repoFolder(cache), 'blobs', q8?.sha256 as string))).toBe(false);
  });

  it('downloads one file at a tag with a HEAD first, writing refs/<tag>', async () => {
    const hub = await fakeHub();
    const { m, cache } = manager(hubHttp(hub));
    const job = await download(m, { repo: 'acme/tiny-llm', revision: 'v1.0', files: ['config.json'] });
    expect(job.state).toBe('done');
    expect(requestsTo(hub, 'api').some((r) => r.url.includes('/resolve/v1.0/config.json'))).toBe(true);
    expect(hub.log.find((r) => r.url.includes('/resolve/v1.0/config.json'))?.method).toBe('HEAD');
    expect(fs.readFileSync(path.join(repoFolder(cache), 'refs', 'v1.0'), 'utf8')).toBe(v1?.sha);
    expect(fs.readFileSync(path.join(repoFolder(cache), 'snapshots', v1?.sha as string, 'config.json'), 'utf8')).toBe('{"model_type":"llama","v":1}');
  });

  it('sends the token to the Hub origin and never to the CDN', async () => {
    const hub = await fakeHub();
    const { m } = manager(hubHttp(hub, { token: ALICE }));
    await download(m, { repo: 'acme/tiny-llm', patterns: ['*.gguf'] });
    const cdn = requestsTo(hub, 'cdn');
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => r.auth === undefined)).toBe(true);
    expect(requestsTo(hub, 'api').every((r) => r.auth === `Bearer ${ALICE}`)).toBe(true);
  });

  it('links an already-present blob instead of fetching it again', async () => {
    const hub = await fakeHub();
    const { m, cache } = manager(hubHttp(hub));
    await download(m, { repo: 'acme/tiny-llm', revision: 'v1.0', files: ['tiny-llm-Q8_0.gguf'] });
    const before = requestsTo(hub, 'cdn', q8?.sha256).length;
    const job = await download(m, { repo: 'acme/tiny-llm', revision: 'main', files: ['tiny-llm-Q8_0.gguf'] });
    expect(job.state).toBe('done');
    expect(requestsTo(hub, 'cdn', q8?.sha256).length).toBe(before);
    expect(fs.readlinkSync(path.join(repoFolder(cache), 'snapshots', main?.sha as string, 'tiny-llm-Q8_0.gguf'))).toBe(`../../blobs/${q8?.sha256}`);
  });

  it('shares one download between two jobs that need the same blob', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 20 * MiB, times: 5 });
    const { m } = manager(hubHttp(hub));
    const a = m.add({ repoType: 'model', repo: 'acme/tiny-llm', revision: 'main', files: ['tiny-llm-Q8_0.gguf'] });
    const b = m.add({ repoType: 'model', repo: 'acme/tiny-llm', revision: 'v1.0', files: ['tiny-llm-Q8_0.gguf'] });
    await m.whenIdle();
    expect(m.get(a.id).state).toBe('done');
    expect(m.get(b.id).state).toBe('done');
    expect(requestsTo(hub, 'cdn', q8?.sha256)).toHaveLength(1);
  });
});

describe('downloads: faults', () => {
  it('resumes with Range after the connection drops mid-file', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'drop', origin: 'cdn', afterBytes: 1 * MiB, pathIncludes: q4?.sha256 });
    const { m, cache } = manager(hubHttp(hub));
    const job = await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q4_K_M.gguf'] });
    expect(job.state).toBe('done');
    const ranges = requestsTo(hub, 'cdn', q4?.sha256).map((r) => r.range);
    expect(ranges[0]).toBe('bytes=0-');
    // Resumed from what reached the disk (a dropped socket may lose its last unflushed bytes).
    const resumedAt = Number(/bytes=(\d+)-/.exec(ranges[1] ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0.9 * MiB);
    expect(resumedAt).toBeLessThanOrEqual(MiB);
    expect(ranges).toHaveLength(2);
    expect(sha256File(path.join(repoFolder(cache), 'blobs', q4?.sha256 as string))).toBe(q4?.sha256);
  });

  it('drops a stalled stream after the timeout and resumes', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'stall', origin: 'cdn', afterBytes: 512 * 1024, pathIncludes: q4?.sha256 });
    const { m } = manager(hubHttp(hub), { stallTimeoutMs: 300 });
    const job = await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q4_K_M.gguf'] });
    expect(job.state).toBe('done');
    expect(requestsTo(hub, 'cdn', q4?.sha256).map((r) => r.range)).toEqual(['bytes=0-', `bytes=${512 * 1024}-`]);
  });

  it('never lets a corrupt blob land: a hash mismatch is discarded and fetched again', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'corrupt', origin: 'cdn', offset: 1000, pathIncludes: q4?.sha256 });
    const { m, cache } = manager(hubHttp(hub));
    const job = await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q4_K_M.gguf'] });
    expect(job.state).toBe('done');
    expect(requestsTo(hub, 'cdn', q4?.sha256)).toHaveLength(2);
    expect(sha256File(path.join(repoFolder(cache), 'blobs', q4?.sha256 as string))).toBe(q4?.sha256);
  });

  it('gives up with INTEGRITY when every copy arrives corrupt, leaving nothing behind', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'corrupt', origin: 'cdn', offset: 10, pathIncludes: q4?.sha256, times: Infinity });
    const { m, cache } = manager(hubHttp(hub));
    const job = await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q4_K_M.gguf'] });
    expect(job.state).toBe('error');
    expect(job.error?.code).toBe('INTEGRITY');
    const blobsDir = path.join(repoFolder(cache), 'blobs');
    const blobs = fs.existsSync(blobsDir) ? fs.readdirSync(blobsDir) : [];
    expect(blobs.filter((b) => b.startsWith(q4?.sha256 as string))).toEqual([]);
    expect(scanCache(cache).warnings).toEqual([]);
  });

  it('retries 429 (honouring Retry-After) and 5xx answers', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'status', origin: 'cdn', status: 429, retryAfter: 0, pathIncludes: q4?.sha256 });
    hub.faults.add({ kind: 'status', origin: 'cdn', status: 503, pathIncludes: q4?.sha256 });
    hub.faults.add({ kind: 'status', origin: 'api', status: 502, pathIncludes: '/api/models' });
    const { m, events } = manager(hubHttp(hub));
    const job = await download(m, { repo: 'acme/tiny-llm', patterns: ['*Q4_K_M.gguf'] });
    expect(job.state).toBe('done');
    expect(events.some((e) => e.retrying?.message.includes('rate-limiting'))).toBe(true);
  });

  it('reports progress at most about ten times a second, with speed and ETA', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 4 * MiB, pathIncludes: q4?.sha256 });
    const { m, events } = manager(hubHttp(hub));
    const started = Date.now();
    await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q4_K_M.gguf'] });
    const seconds = (Date.now() - started) / 1000;
    const progress = events.filter((e) => e.state === 'downloading');
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 6);
    expect(progress.some((e) => e.speed > 0 && e.etaSeconds !== null)).toBe(true);
    expect(events.at(-1)).toMatchObject({ state: 'done', bytesDone: q4?.content.size, bytesTotal: q4?.content.size });
  });
});

describe('downloads: pause, resume, cancel, restart', () => {
  it('pauses keeping the partial file and resumes from it', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 2 * MiB, pathIncludes: q8?.sha256 });
    const { m, cache } = manager(hubHttp(hub));
    const job = m.add({ repoType: 'model', repo: 'acme/tiny-llm', revision: 'main', files: ['tiny-llm-Q8_0.gguf'] });
    await new Promise((r) => setTimeout(r, 700));
    m.pause(job.id);
    await new Promise((r) => setTimeout(r, 100));
    const partial = partialOf(repoFolder(cache), q8?.sha256 as string) as string;
    const kept = fs.statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(m.get(job.id).state).toBe('paused');
    m.resume(job.id);
    await m.whenIdle();
    expect(m.get(job.id).state).toBe('done');
    const ranges = requestsTo(hub, 'cdn', q8?.sha256).map((r) => r.range);
    expect(ranges.at(-1)).toBe(`bytes=${kept}-`);
    expect(sha256File(path.join(repoFolder(cache), 'blobs', q8?.sha256 as string))).toBe(q8?.sha256);
  });

  it('cancel removes the partial file unless asked to keep it', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 2 * MiB, times: 2 });
    const { m, cache } = manager(hubHttp(hub));
    const partial = () => partialOf(repoFolder(cache), q8?.sha256 as string);
    const a = m.add({ repoType: 'model', repo: 'acme/tiny-llm', revision: 'main', files: ['tiny-llm-Q8_0.gguf'] });
    await new Promise((r) => setTimeout(r, 500));
    await m.cancel(a.id);
    expect(partial()).toBe(null);
    // Nothing was finished: the cancelled fresh download leaves no empty repo for the Cache page.
    expect(fs.existsSync(repoFolder(cache))).toBe(false);
    expect(m.get(a.id).state).toBe('cancelled');
    const b = m.add({ repoType: 'model', repo: 'acme/tiny-llm', revision: 'main', files: ['tiny-llm-Q8_0.gguf'] });
    await new Promise((r) => setTimeout(r, 500));
    await m.cancel(b.id, true);
    expect(fs.statSync(partial() as string).size).toBeGreaterThan(0);
  });

  it('survives a restart: the persisted queue resumes from the partial file', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 2 * MiB, pathIncludes: q8?.sha256 });
    const data = tmpDir();
    const cache = path.join(tmpDir(), 'hub');
    const first = new DownloadManager({ hub: hubHttp(hub), cacheDir: () => cache, store: fileQueueStore(data) });
    first.add({ repoType: 'model', repo: 'acme/tiny-llm', revision: 'main', files: ['tiny-llm-Q8_0.gguf'] });
    await new Promise((r) => setTimeout(r, 800));
    await first.close(); // as if the app quit mid-download
    const partial = fs.statSync(partialOf(repoFolder(cache), q8?.sha256 as string) as string).size;
    expect(partial).toBeGreaterThan(0);
    const second = new DownloadManager({ hub: hubHttp(hub), cacheDir: () => cache, store: fileQueueStore(data) });
    await new Promise((r) => setTimeout(r, 20));
    await second.whenIdle();
    const [job] = second.list();
    expect(job?.state).toBe('done');
    expect(requestsTo(hub, 'cdn', q8?.sha256).at(-1)?.range).toBe(`bytes=${partial}-`);
    await second.close();
  });
});

describe('downloads: errors and offline mode', () => {
  it('explains a gated repo, and succeeds once access is granted', async () => {
    const hub = await fakeHub();
    const anon = manager(hubHttp(hub));
    const denied = await download(anon.m, { repo: 'acme/gated-llm' });
    expect(denied.error).toMatchObject({ code: 'GATED', details: { repoUrl: `${hub.url}/acme/gated-llm` } });
    // Nothing half-made is left for Python's scanner to choke on.
    expect(scanCache(anon.cache).warnings).toEqual([]);
    expect(fs.existsSync(path.join(anon.cache, 'models--acme--gated-llm'))).toBe(false);
    const alice = manager(hubHttp(hub, { token: ALICE }));
    const notYet = await download(alice.m, { repo: 'acme/gated-llm' });
    expect(notYet.error?.code).toBe('GATED');
    expect(notYet.error?.message).toMatch(/no access yet/);
    hub.grantAccess('acme/gated-llm', 'alice');
    alice.m.retry(notYet.id);
    await alice.m.whenIdle();
    expect(alice.m.get(notYet.id).state).toBe('done');
  });

  it('names what is missing: repo, revision or file', async () => {
    const hub = await fakeHub();
    const { m } = manager(hubHttp(hub));
    expect((await download(m, { repo: 'acme/nope' })).error?.code).toBe('REPO_NOT_FOUND');
    expect((await download(m, { repo: 'alice/secret-llm' })).error?.code).toBe('REPO_NOT_FOUND');
    expect((await download(m, { repo: 'acme/tiny-llm', revision: 'v9' })).error?.code).toBe('REVISION_NOT_FOUND');
    const missing = await download(m, { repo: 'acme/tiny-llm', files: ['nope.bin'] });
    expect(missing.error).toMatchObject({ code: 'ENTRY_NOT_FOUND', message: expect.stringContaining('nope.bin') });
    // As Python does: a .no_exist marker for the confirmed-missing file. No ref to a snapshot that
    // does not exist, though: Python's own scanner would reject it.
    const cacheDir = missing.cacheDir;
    expect(fs.existsSync(path.join(repoFolder(cacheDir), '.no_exist', main?.sha as string, 'nope.bin'))).toBe(true);
    expect(fs.existsSync(path.join(repoFolder(cacheDir), 'refs', 'main'))).toBe(false);
    expect(scanCache(cacheDir).warnings).toEqual([]);
  });

  it('rejects bad repo ids and revisions before any request', async () => {
    const hub = await fakeHub();
    const { m } = manager(hubHttp(hub));
    expect(() => m.add({ repoType: 'model', repo: '../../etc', revision: 'main' })).toThrow(/not a valid repo id/);
    expect(() => m.add({ repoType: 'model', repo: 'acme/x', revision: '../../main' })).toThrow(/not a valid revision/);
    expect(hub.log).toEqual([]);
  });

  it('offline mode makes no request and serves what the cache holds', async () => {
    const hub = await fakeHub();
    const online = manager(hubHttp(hub));
    await download(online.m, { repo: 'acme/tiny-llm', files: ['config.json'] });
    const before = hub.log.length;
    const offline = manager(hubHttp(hub, { offline: true }), { cacheDir: () => online.cache });
    const ok = await download(offline.m, { repo: 'acme/tiny-llm', files: ['config.json'] });
    expect(ok.state).toBe('done');
    const missing = await download(offline.m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q8_0.gguf'] });
    expect(missing.error).toMatchObject({ code: 'OFFLINE', message: expect.stringContaining('tiny-llm-Q8_0.gguf') });
    expect(hub.log.length).toBe(before);
  });
});

describe('downloads: parallel ranges and repair', () => {
  it('fetches a large file as parallel ranges, surviving a dropped range', async () => {
    // A link where one connection is slow, so the adaptive count grows past one.
    const hub = await fakeHub({ link: { perConnection: 1_000_000 } });
    hub.faults.add({ kind: 'drop', origin: 'cdn', afterBytes: 100_000, pathIncludes: q8?.sha256 });
    const { m, cache } = manager(hubHttp(hub), { connections: () => 4, parallelThreshold: 1 << 20, segmentBytes: 1 << 20 });
    const job = await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q8_0.gguf'] });
    expect(job.error).toBeNull();
    expect(job.state).toBe('done');
    const ranges = requestsTo(hub, 'cdn', q8?.sha256).map((r) => r.range ?? '');
    expect(ranges.filter((r) => /^bytes=\d+-\d+$/.test(r)).length).toBeGreaterThanOrEqual(2);
    expect(sha256File(path.join(repoFolder(cache), 'blobs', q8?.sha256 as string))).toBe(q8?.sha256);
  });
});

describe('cache repair', () => {
  it('plans exactly the corrupt file, and a forced download replaces only it', async () => {
    const hub = await fakeHub();
    const { m, cache } = manager(hubHttp(hub));
    await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q4_K_M.gguf', 'tiny-llm-Q8_0.gguf'] });
    const blob = path.join(repoFolder(cache), 'blobs', q4?.sha256 as string);
    const bytes = fs.readFileSync(blob);
    bytes[10] = (bytes[10] as number) ^ 0xff;
    fs.writeFileSync(blob, bytes);
    const { repairPlan } = await import('../../src-main/cache/service');
    const { refetch } = await repairPlan(cache, 'model:acme/tiny-llm');
    expect(refetch).toEqual([{ commit: main?.sha, files: ['tiny-llm-Q4_K_M.gguf'] }]);
    const cdnBefore = requestsTo(hub, 'cdn').length;
    const again = await download(m, {
      repo: 'acme/tiny-llm',
      revision: main?.sha as string,
      files: ['tiny-llm-Q4_K_M.gguf', 'tiny-llm-Q8_0.gguf'],
      force: true,
    });
    expect(again.state).toBe('done');
    expect(sha256File(blob)).toBe(q4?.sha256);
    // The healthy Q8 file was rehashed, not fetched again.
    expect(
      requestsTo(hub, 'cdn')
        .slice(cdnBefore)
        .map((r) => r.url.includes(q4?.sha256 as string)),
    ).toEqual([true]);
  });
});

describe('downloads: failures that tell the truth', () => {
  it('after exhausted retries says what failed, where, after how many attempts, and what to do', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'drop', origin: 'cdn', afterBytes: 0, pathIncludes: q4?.sha256, times: Infinity });
    const { m, events } = manager(hubHttp(hub), { maxRetries: 2 });
    const job = m.add({ repoType: 'model', repo: 'acme/tiny-llm', revision: 'main', files: ['tiny-llm-Q4_K_M.gguf'] });
    await m.whenIdle();
    const failed = m.get(job.id);
    expect(failed.state).toBe('error');
    expect(failed.error?.code).toBe('NETWORK');
    expect(failed.error?.message).toMatch(
      /^tiny-llm-Q4_K_M\.gguf could not be downloaded from the download host \(127\.0\.0\.1:\d+\) after 3 attempts \(last: (the connection (ended early|broke .*|was reset)|could not reach 127\.0\.0\.1:\d+ \(ECONNRESET\))\)\. Check the network connection, then press Retry; the partial download is kept\.$/,
    );
    expect(failed.error?.message).not.toMatch(/resuming/);
    // While it retried, the job said so with a time for the next attempt, and no speed.
    const retrying = events.filter((e) => e.retrying);
    expect(retrying.map((e) => e.retrying?.attempt)).toEqual([1, 2]);
    expect(retrying.every((e) => e.speed === 0 && e.etaSeconds === null && Date.parse(e.retrying?.nextAt ?? '') > 0)).toBe(true);
  });

  it('never blames a token for a download host refusing its signed link', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'status', origin: 'cdn', status: 403, pathIncludes: q4?.sha256, times: Infinity });
    const { m } = manager(hubHttp(hub));
    const job = await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q4_K_M.gguf'] });
    expect(job.error?.code).toBe('FORBIDDEN');
    expect(job.error?.message).toMatch(/^The download host \(127\.0\.0\.1:\d+\) refused the signed link \(HTTP 403\): it may have expired\.$/);
    expect(job.error?.message).not.toMatch(/token/);
    // The HEAD's link, then the link resolved from the Hub and, refused too, resolved once more
    // (the HEAD's link does not spend the transfer's one refresh) before giving up.
    expect(requestsTo(hub, 'cdn', q4?.sha256)).toHaveLength(3);
  });
});
