/**
 * What is already on disk is not trusted blindly, and what Hubcap writes is what Python reads:
 * wrong-size files are fetched again, --force replaces exactly the corrupt ones, symlink-less
 * caches are verified too, trees/<commit>.json is written and read, and every download writes the
 * ref of the revision the user chose.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tinyLlm } from '../fakehub/fixtures';
import { download, fakeHub, hubHttp, manager, requestsTo } from '../helpers/hub';
import { cliEnv, runCli } from '../helpers/cli';
import { writePythonRevision } from '../helpers/python-cache';
import { forgetHashes, hashStats, rememberHashesIn } from '../../src-main/cache/payload-hash';
import { verifyRepo } from '../../src-main/cache/verify';
import { scanCache } from '../../src-main/cache/scan';
import { readTreeRecord, treeRecordPath } from '../../src-main/cache/tree-record';
import { blobIdOf, listTree } from '../../src-main/hub/tree';

const repo = tinyLlm();
const [v1, main] = repo.commits;
const q4 = v1?.files.get('tiny-llm-Q4_K_M.gguf');
const q8 = v1?.files.get('tiny-llm-Q8_0.gguf');
const FOLDER = 'models--acme--tiny-llm';
/** Only the repo these tests use, built once: the whole standard set took ~0.6 s to build per test on a loaded machine. */
const tinyHub = () => fakeHub({ repos: [repo] });
const sha256 = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

describe('files already present', () => {
  it('fetches again a snapshot file whose size does not match the Hub (a truncated blob)', async () => {
    const hub = await tinyHub();
    const { m, cache } = manager(hubHttp(hub));
    await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q4_K_M.gguf'] });
    const blob = path.join(cache, FOLDER, 'blobs', q4?.sha256 as string);
    fs.truncateSync(blob, 1000);
    const again = await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q4_K_M.gguf'] });
    expect(again.state).toBe('done');
    expect(requestsTo(hub, 'cdn', q4?.sha256)).toHaveLength(2);
    expect(sha256(blob)).toBe(q4?.sha256);
  });

  // In-process engine (the CLI's download is the same request), one CLI process for what only the CLI
  // prints: six `hubcap` processes through tsx took ~20 s on a loaded machine, for a few MB of work.
  it('a plain download checks present blobs once and refetches exactly the corrupt one; --force rehashes again', async () => {
    const hub = await tinyHub();
    const env = cliEnv(hub.url);
    // Where the cache slice keeps remembered hashes for a run with this data folder (the CLI's too).
    const record = path.join(env.HOME, 'data', 'blob-hashes.json');
    forgetHashes();
    rememberHashesIn(record);
    const { m, cache } = manager(hubHttp(hub), { cacheDir: () => env.HF_HUB_CACHE });
    expect((await download(m, { repo: 'acme/tiny-llm', patterns: ['*.gguf'] })).state).toBe('done');
    const blob = path.join(cache, FOLDER, 'blobs', q8?.sha256 as string);
    const bytes = fs.readFileSync(blob);
    bytes[4096] = (bytes[4096] as number) ^ 1;
    fs.writeFileSync(blob, bytes);
    const verify = await runCli(['cache', 'verify'], env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/acme\/tiny-llm: 1\/2 blobs ok/);
    expect(verify.stdout).toContain(`hubcap download acme/tiny-llm tiny-llm-Q8_0.gguf --revision ${main?.sha} --force`);
    const before = requestsTo(hub, 'cdn').length;
    const fetched = () =>
      requestsTo(hub, 'cdn')
        .slice(before)
        .map((r) => r.url.includes(q8?.sha256 as string));
    // Present bytes are trusted only once checked (#24.4): a plain download finds the corrupt blob and fetches exactly it.
    const hashedBefore = hashStats.hashed;
    expect((await download(m, { repo: 'acme/tiny-llm', patterns: ['*.gguf'] })).state).toBe('done');
    expect(fetched()).toEqual([true]);
    expect(hashStats.hashed).toBeGreaterThan(hashedBefore);
    expect(sha256(blob)).toBe(q8?.sha256);
    // Checked bytes are remembered (by inode and times): the next plain download reads and fetches nothing...
    const hashedOnce = hashStats.hashed;
    expect((await download(m, { repo: 'acme/tiny-llm', patterns: ['*.gguf'] })).state).toBe('done');
    expect(hashStats.hashed).toBe(hashedOnce);
    expect(fetched()).toEqual([true]);
    // ...nor does a later run (the CLI's next command): the record in the data folder says so.
    vi.resetModules();
    const nextRun = await import('../../src-main/cache/payload-hash');
    nextRun.rememberHashesIn(record);
    expect(nextRun.knownRight(blob, q8?.sha256 as string)).toBe(true);
    expect(nextRun.knownRight(path.join(cache, FOLDER, 'blobs', q4?.sha256 as string), q4?.sha256 as string)).toBe(true);
    // Changed in place again: --force rehashes and re-downloads exactly it.
    fs.writeFileSync(blob, bytes);
    const forced = await download(m, { repo: 'acme/tiny-llm', revision: main?.sha as string, files: ['tiny-llm-Q8_0.gguf'], force: true });
    expect(forced.state).toBe('done');
    expect(fetched()).toEqual([true, true]);
    expect(sha256(blob)).toBe(q8?.sha256);
    const { checks } = await verifyRepo(scanCache(cache).repos[0] as never);
    expect(checks.map((c) => c.ok)).toEqual([true, true]);
  }, 60_000);

  it('verifies a symlink-less (copy) cache against trees/<commit>.json, and repairs it', async () => {
    const hub = await tinyHub();
    const { m, cache } = manager(hubHttp(hub), { disableSymlinks: true });
    await download(m, { repo: 'acme/tiny-llm', patterns: ['*.gguf', '*.json'] });
    const copy = path.join(cache, FOLDER, 'snapshots', main?.sha as string, 'tiny-llm-Q4_K_M.gguf');
    expect(fs.lstatSync(copy).isSymbolicLink()).toBe(false);
    const bytes = fs.readFileSync(copy);
    bytes[7] = (bytes[7] as number) ^ 1;
    fs.writeFileSync(copy, bytes);
    const scanned = scanCache(cache).repos[0];
    const { checks, unverifiable } = await verifyRepo(scanned as never);
    expect(unverifiable).toEqual([]);
    expect(checks.length).toBe(4);
    expect(checks.filter((c) => !c.ok).map((c) => c.files)).toEqual([[`${main?.sha.slice(0, 8)}/tiny-llm-Q4_K_M.gguf`]]);
    const repaired = await download(m, { repo: 'acme/tiny-llm', revision: main?.sha as string, files: ['tiny-llm-Q4_K_M.gguf'], force: true });
    expect(repaired.state).toBe('done');
    expect(sha256(copy)).toBe(q4?.sha256);
  });

  it('verifies a copy cache Python wrote (no record) against the Hub, and says when it cannot', async () => {
    const hub = await tinyHub();
    const cache = path.join(path.dirname(cliEnv(hub.url).HF_HUB_CACHE), 'py');
    const commit = main?.sha as string;
    writePythonRevision(
      cache,
      FOLDER,
      commit,
      [
        { path: 'config.json', data: '{"model_type":"llama","v":2}' },
        { path: 'README.md', data: 'tampered' },
      ],
      { refs: ['main'], symlinks: false },
    );
    const scanned = scanCache(cache).repos[0];
    const offline = await verifyRepo(scanned as never);
    expect(offline.checks).toEqual([]);
    expect(offline.unverifiable.sort()).toEqual([`${commit.slice(0, 8)}/README.md`, `${commit.slice(0, 8)}/config.json`]);
    const http = hubHttp(hub);
    const expected = async (c: string) => new Map((await listTree(http, { type: 'model', id: 'acme/tiny-llm' }, c)).map((f) => [f.path, blobIdOf(f)]));
    const online = await verifyRepo(scanned as never, { expected });
    expect(online.unverifiable).toEqual([]);
    expect(online.checks.filter((c) => !c.ok).map((c) => c.files)).toEqual([[`${commit.slice(0, 8)}/README.md`]]);
  });
});

describe('what Python reads back', () => {
  it('writes trees/<commit>.json in huggingface_hub format for a listed revision', async () => {
    const hub = await tinyHub();
    const { m, cache } = manager(hubHttp(hub));
    await download(m, { repo: 'acme/tiny-llm', patterns: ['*.json'] });
    const file = treeRecordPath(path.join(cache, FOLDER), main?.sha as string);
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { format_version: number; files: Record<string, unknown> };
    expect(data.format_version).toBe(1);
    // The whole listing, not just the selection: that is what tells Python the snapshot is partial.
    expect(Object.keys(data.files)).toEqual(['README.md', 'config.json', 'sub/dir/tokenizer.json', 'tiny-llm-Q4_K_M.gguf', 'tiny-llm-Q8_0.gguf']);
    expect(data.files['tiny-llm-Q4_K_M.gguf']).toEqual({ size: q4?.content.size, blob_id: q4?.oid, lfs_sha256: q4?.sha256, lfs_size: q4?.content.size });
    expect(data.files['config.json']).toEqual({ size: main?.files.get('config.json')?.content.size, blob_id: main?.files.get('config.json')?.oid });
    expect(readTreeRecord(path.join(cache, FOLDER), main?.sha as string)?.get('tiny-llm-Q8_0.gguf')).toEqual({
      size: q8?.content.size,
      etag: q8?.sha256,
      lfs: true,
    });
    expect(scanCache(cache).warnings).toEqual([]);
  });

  it('offline, a whole-revision download of a partial snapshot says which files are missing', async () => {
    const hub = await tinyHub();
    const { m, cache } = manager(hubHttp(hub));
    await download(m, { repo: 'acme/tiny-llm', patterns: ['*.json', 'README.md'] });
    const off = manager(hubHttp(hub, { offline: true }), { cacheDir: () => cache });
    const whole = await download(off.m, { repo: 'acme/tiny-llm' });
    expect(whole.state).toBe('error');
    expect(whole.error?.code).toBe('OFFLINE');
    expect(whole.error?.message).toBe(
      'Offline mode is on, and 2 of the 5 files of acme/tiny-llm@main are not in the cache: tiny-llm-Q4_K_M.gguf, tiny-llm-Q8_0.gguf. Go online to download them.',
    );
    const part = await download(off.m, { repo: 'acme/tiny-llm', patterns: ['*.json'] });
    expect(part.state).toBe('done');
  });

  it('writes refs/<revision> for a download pinned to the commit shown on the page', async () => {
    const hub = await tinyHub();
    const { m, cache } = manager(hubHttp(hub));
    const job = await download(m, { repo: 'acme/tiny-llm', revision: 'v1.0', commit: v1?.sha as string, files: ['config.json'] });
    expect(job.state).toBe('done');
    expect(fs.readFileSync(path.join(cache, FOLDER, 'refs', 'v1.0'), 'utf8')).toBe(v1?.sha);
    expect(scanCache(cache).repos[0]?.revisions[0]?.refs).toEqual(['v1.0']);
    // Offline, the name works as Python would use it.
    const off = manager(hubHttp(hub, { offline: true }), { cacheDir: () => cache });
    expect((await download(off.m, { repo: 'acme/tiny-llm', revision: 'v1.0', files: ['config.json'] })).state).toBe('done');
  });
});
