/**
 * `--local-dir` (#30.1) against the real huggingface_hub 2.0 client, both ways: a folder Hubcap
 * filled makes `hf download --local-dir` fetch nothing (asserted on the fake Hub's request log),
 * and a folder Python filled, even half-way (its `.incomplete` left by a killed run), is completed
 * by Hubcap without refetching what is there. Plus: from the cache by copy, never the network; an
 * interrupted run resumed; a different file in the way; a full disk.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { downloadToLocalDir, type LocalDirDeps } from '../../src-main/downloads/local-dir';
import { engineFetchInto } from '../../src-main/downloads/local-dir-fetch';
import { leftIncompletes, localDirPaths, readMetadata, shortHash } from '../../src-main/downloads/local-dir-layout';
import type { FakeHub } from '../fakehub/server';
import { mixedXetContent, XET_FILE, XET_REPO, xetRepo } from '../fakehub/xet/fixtures';
import { bigRepo, MiB, tinyLlm } from '../fakehub/fixtures';
import { download, fakeHub, hubHttp, manager, requestsTo } from '../helpers/hub';
import { hfPython, runHfPython } from '../helpers/hf-python';
import { tmpfs } from '../helpers/mounts';
import { tmpDir } from '../helpers/tmp';

const TINY = { type: 'model', id: 'acme/tiny-llm' } as const;
const ALL = ['README.md', 'config.json', 'sub/dir/tokenizer.json', 'tiny-llm-Q4_K_M.gguf', 'tiny-llm-Q8_0.gguf'];

function deps(hub: FakeHub, extra: Partial<LocalDirDeps> = {}): LocalDirDeps {
  const http = hubHttp(hub);
  return { hub: http, cacheDir: path.join(tmpDir(), 'hub'), fetchInto: engineFetchInto(http), ...extra };
}

/** `hf download REPO --local-dir DIR` of huggingface_hub 2.0 against the fake Hub. */
async function hfDownload(hub: FakeHub, dir: string, extra: string[] = []) {
  const hf = path.join(path.dirname(hfPython()), 'hf');
  const r = await runHfPython([hf, 'download', 'acme/tiny-llm', ...extra, '--local-dir', dir], {
    HF_ENDPOINT: hub.url,
    HF_HUB_CACHE: path.join(tmpDir(), 'py-cache'),
    HF_HUB_DISABLE_XET: '1',
  });
  expect(r.stderr).not.toMatch(/Traceback/);
  return r;
}

const fileDownloads = (hub: FakeHub, from: number) =>
  hub.log.slice(from).filter((r) => r.method === 'GET' && (r.origin === 'cdn' || r.url.includes('/resolve/')));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('--local-dir, with huggingface_hub 2.0', () => {
  it('writes files and Python’s metadata so that hf download --local-dir afterwards downloads nothing', async () => {
    const hub = await fakeHub();
    const dir = path.join(tmpDir(), 'models', 'tiny');
    const seen = new Map<string, number>();
    const result = await downloadToLocalDir(deps(hub, { onProgress: (p) => seen.set(p.file, p.bytes) }), { repo: TINY, revision: 'main', dir });
    const commit = tinyLlm().commits[1]?.sha as string;
    // Progress reached each file's size.
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(result.files.map((f) => [f.path, f.size])));
    expect(result.commit).toBe(commit);
    expect(result.files.map((f) => f.path).sort()).toEqual(ALL);
    expect(result.files.every((f) => f.via === 'network')).toBe(true);
    const repo = tinyLlm();
    for (const p of ALL) {
      const bytes = fs.readFileSync(path.join(dir, ...p.split('/')));
      const want = repo?.commits[1]?.files.get(p) ?? repo?.commits[0]?.files.get(p);
      expect(bytes.equals(want?.content.read(0, want.content.size) ?? Buffer.alloc(1))).toBe(true);
      const meta = fs.readFileSync(path.join(dir, '.cache', 'huggingface', 'download', ...`${p}.metadata`.split('/')), 'utf8').split('\n');
      expect(meta[0]).toBe(commit);
      expect(Number(meta[2])).toBeGreaterThan(Date.now() / 1000 - 600);
    }
    expect(fs.readFileSync(path.join(dir, '.cache', 'huggingface', '.gitignore'), 'utf8')).toBe('*');
    expect(fs.readFileSync(path.join(dir, '.cache', 'huggingface', 'CACHEDIR.TAG'), 'utf8')).toMatch(/^Signature: 8a477f597d28d172789f06886806bc55\n/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, '.cache', 'huggingface', 'trees', `${commit}.json`), 'utf8'))).toMatchObject({ format_version: 1 });
    // Nothing of ours is left in Python's folder.
    expect(fs.readdirSync(path.join(dir, '.cache', 'huggingface', 'download')).sort()).toEqual(
      [
        'README.lock',
        'README.md.metadata',
        'config.json.lock',
        'config.json.metadata',
        'sub',
        'tiny-llm-Q4_K_M.gguf.lock',
        'tiny-llm-Q4_K_M.gguf.metadata',
        'tiny-llm-Q8_0.gguf.lock',
        'tiny-llm-Q8_0.gguf.metadata',
      ]
        .map((n) => n.replace('README.lock', 'README.md.lock'))
        .sort(),
    );

    const before = hub.log.length;
    await hfDownload(hub, dir);
    expect(fileDownloads(hub, before)).toEqual([]);
  });

  it('completes a folder Python filled half-way, resuming its .incomplete, without refetching', async () => {
    const hub = await fakeHub();
    const dir = path.join(tmpDir(), 'tiny');
    await hfDownload(hub, dir, ['config.json', 'README.md']);
    const repo = tinyLlm();
    const q8 = repo?.commits[0]?.files.get('tiny-llm-Q8_0.gguf');
    // What a killed `hf download` leaves: the first half under Python 2.0's own temp name (asked of Python itself).
    const py = await runHfPython([
      '-c',
      `import sys; from pathlib import Path; from huggingface_hub._local_folder import get_local_download_paths as g; p = g(Path(sys.argv[1]), 'tiny-llm-Q8_0.gguf').incomplete_path(sys.argv[2]); print(p.with_name(p.stem + '.0badf00d.incomplete'))`,
      dir,
      q8?.sha256 as string,
    ]);
    const incomplete = py.stdout.trim();
    const paths = localDirPaths(dir, 'tiny-llm-Q8_0.gguf');
    expect(path.basename(incomplete)).toBe(`${shortHash(paths.metadataName)}.${q8?.sha256}.0badf00d.incomplete`);
    const size = q8?.content.size ?? 0;
    const half = Math.floor(size / 2);
    fs.writeFileSync(incomplete, q8?.content.read(0, half) ?? Buffer.alloc(0));

    const before = hub.log.length;
    const result = await downloadToLocalDir(deps(hub), { repo: TINY, revision: 'main', dir });
    const by = Object.fromEntries(result.files.map((f) => [f.path, f]));
    expect(by['config.json']?.via).toBe('present');
    expect(by['README.md']?.via).toBe('present');
    expect(by['tiny-llm-Q8_0.gguf']).toMatchObject({ via: 'network', resumedFrom: half, bytesFetched: size - half });
    const gets = fileDownloads(hub, before);
    expect(gets.some((r) => r.url.includes('config.json') || r.url.includes('README.md'))).toBe(false);
    expect(gets.filter((r) => r.url.includes('Q8_0')).map((r) => r.headers.range)).toEqual([`bytes=${half}-`]);
    expect(sha256(fs.readFileSync(path.join(dir, 'tiny-llm-Q8_0.gguf')))).toBe(q8?.sha256);
    expect(fs.existsSync(incomplete)).toBe(false);
    expect(readMetadata(paths)?.etag).toBe(q8?.sha256);

    // And Python, once more, finds all of it.
    const again = hub.log.length;
    await hfDownload(hub, dir);
    expect(fileDownloads(hub, again)).toEqual([]);
  });

  it('waits while huggingface_hub holds a file’s lock, and goes on once it is released', async () => {
    const hub = await fakeHub();
    const dir = tmpDir();
    const paths = localDirPaths(dir, 'config.json');
    fs.mkdirSync(paths.downloadDir, { recursive: true });
    // huggingface_hub's own lock on the file (filelock), held until told to let go.
    const py = spawn(
      hfPython(),
      [
        '-c',
        'import sys; from filelock import FileLock; l = FileLock(sys.argv[1]); l.acquire(); print("held", flush=True); sys.stdin.readline(); l.release()',
        paths.lock,
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve) => py.stdout.once('data', () => resolve()));
    let waiting: (p: string) => void = () => {};
    const waited = new Promise<string>((resolve) => (waiting = resolve));
    const run = downloadToLocalDir(deps(hub, { onWaiting: (p) => waiting(p) }), { repo: TINY, revision: 'main', dir, files: ['config.json', 'README.md'] });
    expect(await waited).toBe('config.json');
    expect(fs.existsSync(paths.file)).toBe(false);
    py.stdin.end('\n');
    const result = await run;
    expect(result.files.map((f) => f.path)).toEqual(['config.json', 'README.md']);
    expect(fs.readFileSync(paths.file, 'utf8')).toMatch(/"v":2/);
  });

  it('takes a file the cache holds from the cache (verified), never from the network', async () => {
    const hub = await fakeHub();
    const { m, cache } = manager(hubHttp(hub));
    await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q4_K_M.gguf'] });
    const before = hub.log.length;
    const dir = tmpDir();
    const result = await downloadToLocalDir(deps(hub, { cacheDir: cache }), { repo: TINY, revision: 'main', dir, files: ['tiny-llm-Q4_K_M.gguf'] });
    expect(result.files[0]).toMatchObject({ via: 'cache', bytesFetched: 0 });
    expect(result.bytesFromCache).toBe(3 * MiB + 123);
    expect(fileDownloads(hub, before)).toEqual([]);
    expect(fs.lstatSync(path.join(dir, 'tiny-llm-Q4_K_M.gguf')).isFile()).toBe(true);
  });

  it('takes it from huggingface_hub 2.x’s shared blob store too, through the repo’s link', async () => {
    const hub = await fakeHub();
    const { m, cache } = manager(hubHttp(hub));
    await download(m, { repo: 'acme/tiny-llm', files: ['tiny-llm-Q4_K_M.gguf'] });
    // The blob becomes a store payload, the repo blob a link to it (docs/hub-protocol.md §1.13).
    const blobs = path.join(cache, 'models--acme--tiny-llm', 'blobs');
    const etag = fs.readdirSync(blobs)[0] as string;
    const xetHash = createHash('sha256').update('payload').digest('hex');
    fs.mkdirSync(path.join(cache, 'blobs', xetHash.slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(cache, 'blobs', '.huggingface-shared-blobs'), '1\n');
    fs.renameSync(path.join(blobs, etag), path.join(cache, 'blobs', xetHash.slice(0, 2), xetHash));
    fs.symlinkSync(`../../blobs/${xetHash.slice(0, 2)}/${xetHash}`, path.join(blobs, etag));
    const before = hub.log.length;
    const dir = tmpDir();
    const result = await downloadToLocalDir(deps(hub, { cacheDir: cache }), { repo: TINY, revision: 'main', dir, files: ['tiny-llm-Q4_K_M.gguf'] });
    expect(result.files[0]).toMatchObject({ via: 'cache', bytesFetched: 0 });
    expect(fileDownloads(hub, before)).toEqual([]);
    expect(sha256(fs.readFileSync(path.join(dir, 'tiny-llm-Q4_K_M.gguf')))).toBe(etag);
  });

  it('takes a Xet file by Xet, straight into the folder, its token where the resolve answer’s link says', async () => {
    const hub = await fakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: 1 << 20 } });
    const cas = hub.xet?.cas;
    if (cas) cas.knobs.authLinkQuery = '?from=link';
    const dir = tmpDir();
    const result = await downloadToLocalDir(deps(hub), { repo: { type: 'model', id: XET_REPO }, revision: 'main', dir, files: [XET_FILE] });
    expect(result.files[0]).toMatchObject({ via: 'network', protocol: 'xet' });
    expect(result.files[0]?.xetHashDiffers).toBeUndefined();
    const tokens = hub.log.filter((r) => r.url.includes('/xet-read-token/'));
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((r) => r.url.endsWith('?from=link'))).toBe(true);
    const mixed = mixedXetContent();
    expect(fs.readFileSync(path.join(dir, ...XET_FILE.split('/'))).equals(mixed.read(0, mixed.size))).toBe(true);
    // Nothing came by the whole-file URL: the CAS gave the bytes.
    expect(requestsTo(hub, 'cdn')).toEqual([]);
    expect(hub.xet?.cas.log.length ?? 0).toBeGreaterThan(0);
  });

  it('resumes its own interrupted run, fetching only the rest', async () => {
    const big = bigRepo(24 * MiB);
    const hub = await fakeHub({ repos: [big] });
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 8 * MiB, times: 1 });
    const dir = tmpDir();
    const stop = new AbortController();
    let seen = 0;
    const first = downloadToLocalDir(
      deps(hub, {
        signal: stop.signal,
        onBytes: (_p, d) => {
          seen += d;
          if (seen >= 8 * MiB) stop.abort();
        },
        fetchInto: engineFetchInto(hubHttp(hub), { connections: 1 }),
      }),
      { repo: { type: 'model', id: 'acme/big' }, revision: 'main', dir },
    );
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.existsSync(path.join(dir, 'big.gguf'))).toBe(false);
    // What is left is a temp file under Python's own name (Python leaves it alone; the next run resumes it).
    const etag = big.commits[0]?.files.get('big.gguf')?.sha256 as string;
    const left = leftIncompletes(localDirPaths(dir, 'big.gguf'), etag);
    expect(left).toHaveLength(1);
    expect(left[0]?.size).toBeGreaterThanOrEqual(8 * MiB);

    const result = await downloadToLocalDir(deps(hub, { fetchInto: engineFetchInto(hubHttp(hub), { connections: 1 }) }), {
      repo: { type: 'model', id: 'acme/big' },
      revision: 'main',
      dir,
    });
    const file = result.files[0];
    expect(file?.resumedFrom).toBeGreaterThanOrEqual(8 * MiB);
    expect((file?.bytesFetched ?? 0) + (file?.resumedFrom ?? 0)).toBe(24 * MiB);
    expect(sha256(fs.readFileSync(path.join(dir, 'big.gguf')))).toBe(big.commits[0]?.files.get('big.gguf')?.sha256);
    expect(requestsTo(hub, 'cdn').at(-1)?.range).toBe(`bytes=${file?.resumedFrom}-`);
    expect(leftIncompletes(localDirPaths(dir, 'big.gguf'), etag)).toEqual([]);
  });

  it('never overwrites a different file silently, and says so when the disk is full', async (ctx) => {
    const hub = await fakeHub();
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'config.json'), '{"mine":true}');
    const refused = downloadToLocalDir(deps(hub), { repo: TINY, revision: 'main', dir, files: ['config.json', 'README.md'] });
    await expect(refused).rejects.toMatchObject({
      code: 'CONFLICT',
      message: /already there and is not this file: a file of 13 B .*git sha1 [0-9a-f]{40}.*--overwrite/,
    });
    expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe('{"mine":true}');
    const replaced = await downloadToLocalDir(deps(hub), { repo: TINY, revision: 'main', dir, files: ['config.json', 'README.md'], overwrite: true });
    expect(replaced.files.map((f) => f.via)).toEqual(['network', 'network']);
    expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).toMatch(/"v":2/);

    const small = tmpfs(ctx, 2, 'the disk-full local-dir test');
    await expect(downloadToLocalDir(deps(hub), { repo: TINY, revision: 'main', dir: small, files: ['tiny-llm-Q8_0.gguf'] })).rejects.toMatchObject({
      code: 'DISK_FULL',
      message: /is full/,
    });
    expect(fs.existsSync(path.join(small, 'tiny-llm-Q8_0.gguf'))).toBe(false);
  });
});
