/**
 * The cache shared while both run: Python (with the real filelock package), a second Hubcap
 * process and other tools write the same blobs at the same time. Nothing may land corrupt, and a
 * waiter must use what the other writer finished instead of fetching it again.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bigRepo, MiB, tinyLlm } from '../fakehub/fixtures';
import { download, fakeHub, hubHttp, manager } from '../helpers/hub';
import { partialOf } from '../helpers/files';
import { startPythonWriter } from '../helpers/python';
import { cliEnv, collect, startCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';
import { lockFile, isLockHeld } from '../../src-main/cache/blob-lock';
import { scanCache } from '../../src-main/cache/scan';

const repo = tinyLlm();
const q8 = repo.commits[0]?.files.get('tiny-llm-Q8_0.gguf');
const FOLDER = 'models--acme--tiny-llm';
const sha256 = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');
const gets = (hub: Awaited<ReturnType<typeof fakeHub>>, etag: string) =>
  hub.log.filter((r) => r.origin === 'cdn' && r.method === 'GET' && r.url.includes(etag));

describe('the blob lock is the one Python takes', () => {
  it('excludes Python holding it, and is free again once Python lets go', async () => {
    const file = path.join(tmpDir(), '.locks', FOLDER, 'x.lock');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const py = startPythonWriter(['hold', file, '1.5']);
    await py.waitFor('locked');
    expect(await isLockHeld(file)).toBe(true);
    let waited = false;
    const started = Date.now();
    const held = await lockFile(file, { onWaiting: () => (waited = true), pollMs: 50 });
    expect(waited).toBe(true);
    expect(Date.now() - started).toBeGreaterThan(500);
    expect(py.lines).toContain('released');
    // Python sees ours the same way: while we hold it, its lock cannot be taken.
    const py2 = startPythonWriter(['hold', file, '0']);
    await new Promise((r) => setTimeout(r, 500));
    expect(py2.lines).not.toContain('locked');
    await held.release();
    await py2.waitFor('released');
    expect(fs.statSync(file).mode & 0o777).toBe(0o664);
  });
});

describe('a second writer of the same blob', () => {
  it('waits while Python (≥ 1.18) downloads it, then links what Python wrote without fetching a byte', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 3 * MiB, pathIncludes: q8?.sha256, times: Infinity });
    const cache = path.join(tmpDir(), 'hub');
    const py = startPythonWriter(['new', cache, FOLDER, q8?.sha256 as string, `${hub.cdnUrl}/lfs/${q8?.sha256}`]);
    await py.waitFor('locked');
    const { m, events } = manager(hubHttp(hub), { cacheDir: () => cache });
    const job = await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q8_0.gguf'] });
    expect(job.state).toBe('done');
    expect(events.some((e) => e.files.some((f) => f.state === 'waiting'))).toBe(true);
    expect(await py.exited).toBe(0);
    expect(py.lines).toContain('done');
    expect(gets(hub, q8?.sha256 as string)).toHaveLength(1); // Python's, and only Python's
    const link = path.join(cache, FOLDER, 'snapshots', repo.commits[1]?.sha as string, 'tiny-llm-Q8_0.gguf');
    expect(fs.readlinkSync(link)).toBe(`../../blobs/${q8?.sha256}`);
    expect(sha256(link)).toBe(q8?.sha256);
  });

  it('never touches the shared .incomplete an old Python (< 1.18) appends to under the lock', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 3 * MiB, pathIncludes: q8?.sha256, times: Infinity });
    const cache = path.join(tmpDir(), 'hub');
    const py = startPythonWriter(['old', cache, FOLDER, q8?.sha256 as string, `${hub.cdnUrl}/lfs/${q8?.sha256}`]);
    await py.waitFor('locked');
    const { m } = manager(hubHttp(hub), { cacheDir: () => cache });
    const job = await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q8_0.gguf'] });
    expect(job.state).toBe('done');
    expect(await py.exited).toBe(0);
    const blob = path.join(cache, FOLDER, 'blobs', q8?.sha256 as string);
    expect(sha256(blob)).toBe(q8?.sha256);
    expect(gets(hub, q8?.sha256 as string)).toHaveLength(1);
    expect(fs.readdirSync(path.dirname(blob)).filter((n) => n.endsWith('.incomplete'))).toEqual([]);
  });

  it('resumes a crashed writer’s partial under the lock, and refetches from zero when those bytes were wrong', async () => {
    const hub = await fakeHub();
    const cache = path.join(tmpDir(), 'hub');
    // A crashed old Python left 1 MiB of zeros: not the blob's first MiB.
    const stale = startPythonWriter(['stale', cache, FOLDER, q8?.sha256 as string, String(MiB)]);
    expect(await stale.exited).toBe(0);
    const { m } = manager(hubHttp(hub), { cacheDir: () => cache });
    const job = await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q8_0.gguf'] });
    expect(job.state).toBe('done');
    const ranges = gets(hub, q8?.sha256 as string).map((r) => r.headers.range);
    expect(ranges).toEqual([`bytes=${MiB}-`, 'bytes=0-']);
    expect(sha256(path.join(cache, FOLDER, 'blobs', q8?.sha256 as string))).toBe(q8?.sha256);
    expect(scanCache(cache).incomplete).toEqual([]);
  });

  it('two hubcap processes downloading one file: one transfer, the other waits and links it, both exit 0', { timeout: 120_000 }, async () => {
    const big = bigRepo(16 * MiB);
    const file = big.commits[0]?.files.get('big.gguf');
    // An aggregate cap (not a per-connection one: the engine opens what a capped file deserves at
    // once) so the first process is still downloading for seconds after the second one starts.
    const hub = await fakeHub({ repos: [big], link: { aggregate: 2 * MiB } });
    const env = cliEnv(hub.url);
    const a = collect(startCli(['download', 'acme/big', '--json'], env));
    // The second starts once the first really holds the file (its partial exists), not after a guess.
    const folder = path.join(env.HF_HUB_CACHE, 'models--acme--big');
    await expect.poll(() => partialOf(folder, file?.sha256 as string) !== null, { timeout: 60_000, interval: 50 }).toBe(true);
    const b = collect(startCli(['download', 'acme/big', '--json'], env));
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    expect(rb.stderr).toMatch(/waiting for another program that is downloading big\.gguf/);
    // One transfer (over however many range connections): the file's bytes went out once (not twice;
    // a connection cut at a block's end wastes at most what the throttled server had already sent).
    const requests = gets(hub, file?.sha256 as string);
    expect(requests.reduce((n, r) => n + (r.bytes ?? 0), 0)).toBeLessThan(16 * MiB * 1.1);
    const blobs = path.join(env.HF_HUB_CACHE, 'models--acme--big', 'blobs');
    expect(fs.readdirSync(blobs)).toEqual([file?.sha256]);
    expect(sha256(path.join(blobs, file?.sha256 as string))).toBe(file?.sha256);
  });

  it('restarts a file cleanly when another tool deletes its partial mid-download (as hf cache prune does)', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 2 * MiB, pathIncludes: q8?.sha256, times: 2 });
    const { m, cache } = manager(hubHttp(hub));
    const job = m.add({ repoType: 'model', repo: 'acme/tiny-llm', revision: 'main', files: ['tiny-llm-Q8_0.gguf'] });
    const folder = path.join(cache, FOLDER);
    await expect
      .poll(
        () => {
          const p = partialOf(folder, q8?.sha256 as string);
          return p ? fs.statSync(p).size : 0;
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(MiB / 2);
    fs.rmSync(partialOf(folder, q8?.sha256 as string) as string);
    await m.whenIdle();
    expect(m.get(job.id)).toMatchObject({ state: 'done', error: null });
    expect(
      gets(hub, q8?.sha256 as string)
        .map((r) => r.headers.range)
        .at(-1),
    ).toBe('bytes=0-');
    expect(sha256(path.join(folder, 'blobs', q8?.sha256 as string))).toBe(q8?.sha256);
  });
});
