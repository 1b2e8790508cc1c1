/**
 * Pull-through as the bytes arrive (#28.2): clients of a file the engine is still fetching are
 * served from its written prefix (over a capped link, so the first bytes come long before the end),
 * Range included, one client leaving costs the others nothing, the Hub sends the file once, and a
 * later client is served from the cache. A corrupt upstream never leaves a client with a whole file:
 * the last byte waits for the check, and a Python that resumes after the cut starts over.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTerminal, type DownloadRequest } from '../../src-main/contract/downloads';
import { ApiError } from '../../src-main/contract/errors';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { bigRepo, standardRepos, TOKENS } from '../fakehub/fixtures';
import type { FakeRepo } from '../fakehub/model';
import type { LinkShape } from '../fakehub/link';
import { hubHttp, manager } from '../helpers/hub';
import { runHfPython } from '../helpers/hf-python';
import { tmpDir } from '../helpers/tmp';
import { mirrorOver } from './setup';

const SCRIPT = new URL('./mirror_client.py', import.meta.url).pathname;
const MiB = 1 << 20;

let hub: FakeHub | null = null;
afterEach(async () => {
  await hub?.close().catch(() => undefined);
  hub = null;
});

/** An empty cache and a mirror that pulls `acme/big` (of `size` bytes) through an engine of its own. */
async function setup(size: number, link: LinkShape = {}) {
  hub = await startFakeHub({ repos: [bigRepo(size), ...standardRepos()], tokens: TOKENS, link });
  const h = hub;
  const { m: engine, cache } = manager(hubHttp(h));
  const jobs: { request: DownloadRequest; doneAt: number | null }[] = [];
  const download = async (request: DownloadRequest): Promise<number> => {
    const entry = { request, doneAt: null as number | null };
    jobs.push(entry);
    const { id } = engine.add(request);
    for (;;) {
      const job = engine.get(id);
      if (isTerminal(job.state)) {
        entry.doneAt = performance.now();
        if (job.state !== 'done') throw new ApiError(job.error?.code ?? 'INTERNAL', job.error?.message ?? job.state);
        return job.bytesDone;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const m = await mirrorOver(cache, h.url, { pull: { endpoint: h.url, offline: () => false, download } });
  const file = (h.repos.get('model:acme/big') as FakeRepo).commits.at(-1)?.files.get('big.gguf');
  const sha256 = file?.sha256 as string;
  const blob = path.join(cache, 'models--acme--big', 'blobs', sha256);
  return { h, m, jobs, cache, sha256, blob, url: `${m.endpoint}/acme/big/resolve/main/big.gguf` };
}

interface Got {
  status: number;
  bytes: number;
  sha256: string;
  /** The body arrived whole (as long as Content-Length said) and the connection ended cleanly. */
  complete: boolean;
  /** When the first body byte came, and whether the blob was in the cache then. */
  firstByteAt: number;
  blobThereAtFirstByte: boolean;
}

/** A plain HTTP client; `leaveAfter` bytes, it goes away. */
function get(url: string, blob: string, headers: Record<string, string> = {}, leaveAfter = Infinity): Promise<Got> {
  return new Promise((resolve) => {
    const h = createHash('sha256');
    const got: Got = { status: 0, bytes: 0, sha256: '', complete: false, firstByteAt: 0, blobThereAtFirstByte: false };
    const req = http.get(url, { headers, agent: false }, (res) => {
      got.status = res.statusCode ?? 0;
      const expected = Number(res.headers['content-length']);
      res.on('data', (c: Buffer) => {
        if (got.bytes === 0) {
          got.firstByteAt = performance.now();
          got.blobThereAtFirstByte = fs.existsSync(blob);
        }
        got.bytes += c.length;
        h.update(c);
        if (got.bytes >= leaveAfter) req.destroy();
      });
      const finish = (complete: boolean) => {
        if (got.sha256) return;
        got.sha256 = h.digest('hex');
        got.complete = complete && got.bytes === expected;
        resolve(got);
      };
      res.on('end', () => finish(true));
      res.on('error', () => finish(false));
      res.on('close', () => finish(false));
    });
    req.on('error', () => resolve(got));
  });
}

const sha = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');

describe('mirror: pull-through as the bytes arrive', () => {
  it('serves concurrent clients (plain HTTP, a Range, Python 2.0) from the written prefix: first bytes before the download ends, the Hub sends it once', async () => {
    const size = 40 * MiB + 11;
    // About 4 s for the whole file, over range connections writing out of order.
    const { h, m, jobs, blob, sha256, url } = await setup(size, { perConnection: 4 * MiB, aggregate: 10 * MiB });
    const from = h.log.length;
    const python = runHfPython([SCRIPT, 'file', 'acme/big', tmpDir(), 'main', 'big.gguf'], { HF_ENDPOINT: m.endpoint }, 180_000);
    const [a, b, ranged, leaver] = await Promise.all([
      get(url, blob),
      get(url, blob),
      get(url, blob, { range: `bytes=${12 * MiB}-${20 * MiB - 1}` }),
      get(url, blob, {}, 256 * 1024),
    ]);
    const py = await python;
    expect(py.code, py.stderr).toBe(0);
    expect(JSON.parse(py.stdout).sha256).toBe(sha256);
    for (const c of [a, b]) expect([c.status, c.bytes, c.sha256, c.complete]).toEqual([200, size, sha256, true]);
    // The first bytes came while the engine was still fetching: before the blob existed, well before the job ended.
    const doneAt = jobs[0]?.doneAt as number;
    expect(a.blobThereAtFirstByte).toBe(false);
    expect(a.firstByteAt).toBeLessThan(doneAt - 500);
    const whole = fs.readFileSync(blob);
    expect([ranged.status, ranged.bytes, ranged.sha256]).toEqual([206, 8 * MiB, sha(whole.subarray(12 * MiB, 20 * MiB))]);
    // The client that left did not stop the pull for the others.
    expect(leaver.complete).toBe(false);
    expect(jobs).toHaveLength(1);
    const cdn = h.log.slice(from).filter((r) => r.origin === 'cdn' && r.url.includes('big.gguf'));
    expect(cdn.reduce((n, r) => n + (r.bytes ?? 0), 0)).toBeLessThan(size + MiB);
    expect(m.mirror.stats().bytesWhilePulling).toBeGreaterThan(size);
    // A later client: from the cache, nothing from the Hub.
    const later = h.log.length;
    const again = await get(url, blob);
    expect([again.status, again.sha256]).toEqual([200, sha256]);
    expect(
      h.log.slice(later).filter((r) => r.origin === 'cdn' || r.url.includes('/resolve/')),
      JSON.stringify(h.log.slice(from).map((r) => [r.origin, r.method, r.url])),
    ).toEqual([]);
    expect(jobs).toHaveLength(1);
  }, 240_000);

  it('HEAD of a file being pulled answers at once from the Hub’s metadata, without starting a download', async () => {
    const { m, jobs, sha256, url } = await setup(4 * MiB);
    const head = await fetch(url, { method: 'HEAD' });
    expect([head.status, head.headers.get('x-linked-etag'), head.headers.get('x-linked-size')]).toEqual([200, `"${sha256}"`, String(4 * MiB)]);
    expect(jobs).toHaveLength(0);
    expect(m.mirror.stats().bytesWhilePulling).toBe(0);
  });

  it('a corrupt first attempt: the clients served from it are cut before the end, and Python, resuming, gets the right file', async () => {
    const size = 6 * MiB;
    const { h, m, jobs, blob, sha256, url } = await setup(size, { perConnection: 3 * MiB });
    // The first byte of the first answer is flipped: the engine finds out only at its end and starts again.
    h.faults.add({ kind: 'corrupt', origin: 'cdn', pathIncludes: sha256, offset: 0, times: 1 });
    const python = runHfPython([SCRIPT, 'file', 'acme/big', tmpDir(), 'main', 'big.gguf'], { HF_ENDPOINT: m.endpoint }, 180_000);
    const plain = await get(url, blob);
    const py = await python;
    // The plain client saw the bad first attempt and was cut short of a whole file.
    expect(plain.complete).toBe(false);
    expect(plain.bytes).toBeLessThan(size);
    expect(py.code, py.stderr).toBe(0);
    expect(JSON.parse(py.stdout).sha256).toBe(sha256);
    expect(jobs).toHaveLength(1);
    // A resume after the cut gets the whole file, from 0.
    const resumed = await get(url, blob, { range: 'bytes=1000-' });
    expect([resumed.status, resumed.bytes, resumed.sha256]).toEqual([200, size, sha256]);
  }, 240_000);

  it('an upstream that stays corrupt: no client gets a complete file, and a retry gets the error', async () => {
    const size = 3 * MiB;
    const { h, m, blob, sha256, url } = await setup(size, { perConnection: 3 * MiB });
    h.faults.add({ kind: 'corrupt', origin: 'cdn', pathIncludes: sha256, offset: size - 1, times: 1000 });
    const dir = tmpDir();
    const python = runHfPython([SCRIPT, 'file', 'acme/big', dir, 'main', 'big.gguf'], { HF_ENDPOINT: m.endpoint }, 180_000);
    const clients = await Promise.all([get(url, blob), get(url, blob), get(url, blob, { range: 'bytes=0-' })]);
    for (const c of clients) {
      expect(c.complete).toBe(false);
      expect(c.bytes).toBeLessThan(size);
    }
    const py = await python;
    expect(py.code).not.toBe(0);
    const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith('.lock'));
    expect(files.filter((e) => fs.statSync(path.join(e.parentPath, e.name)).size === size)).toEqual([]);
    expect(fs.existsSync(blob)).toBe(false);
    const retry = await fetch(url);
    expect(retry.status).toBe(502);
  }, 240_000);
});
