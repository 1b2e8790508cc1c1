/**
 * A hostile or broken Hub: every number is checked, every body read whole is capped, no redirect
 * leaves the Hub by looking relative, and no name with control characters (or one Windows cannot
 * hold) is stored. Each case is bounded in time and in memory (RSS sampled from /proc).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bufferContent, seededContent } from '../fakehub/content';
import { buildRepo } from '../fakehub/model';
import { MiB, standardRepos, tinyLlm } from '../fakehub/fixtures';
import { writeGguf } from '../fixtures/gguf-writer';
import { fakeHub, hubHttp } from '../helpers/hub';
import { cliEnv, collect, startCli, type CliResult } from '../helpers/cli';
import { measured, watchRss } from '../helpers/rss';
import { modelDetails } from '../../src-main/hub/model-details';
import { remoteGgufHeaders } from '../../src-main/inference/remote-header';
import { scanCache } from '../../src-main/cache/scan';

const q4 = tinyLlm().commits[0]?.files.get('tiny-llm-Q4_K_M.gguf');

/** The CLI under a deadline (a synchronous loop would ignore SIGTERM: the deadline kills it). */
async function boundedCli(args: string[], env: Record<string, string>, deadlineMs = 20_000): Promise<CliResult & { peakMiB: number; ms: number }> {
  const started = Date.now();
  const child = startCli(args, env);
  const rss = watchRss(child.pid as number);
  const killer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  const result = await collect(child);
  clearTimeout(killer);
  return { ...result, peakMiB: rss.stop(), ms: Date.now() - started };
}

// tsx itself costs ~150 MB; the failures seen before these bounds were 1.6 to 2 GB.
const MAX_CLI_MIB = 450;

describe('numbers from the Hub', () => {
  for (const [what, value] of [
    ['abc', 'abc'],
    ['empty', ''],
    ['2^53', String(2 ** 53)],
    ['negative', '-5'],
  ] as const) {
    it(`refuses an X-Linked-Size of ${what} at once, whatever the connections`, async () => {
      const hub = await fakeHub();
      hub.faults.add({
        kind: 'headers',
        origin: 'api',
        method: 'HEAD',
        pathIncludes: 'tiny-llm-Q4_K_M.gguf',
        set: { 'X-Linked-Size': value },
        times: Infinity,
      });
      const r = await boundedCli(['download', 'acme/tiny-llm', 'tiny-llm-Q4_K_M.gguf', '--connections', '8'], cliEnv(hub.url));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/The Hub gave tiny-llm-Q4_K_M\.gguf an invalid size/);
      expect(r.ms).toBeLessThan(15_000);
      expect(r.peakMiB).toBeLessThan(MAX_CLI_MIB);
    });
  }

  for (const [what, value] of [
    ['null', null],
    ['"abc"', 'abc'],
    ['2^53', 2 ** 53],
    ['1.5', 1.5],
  ] as const) {
    it(`refuses a tree listing whose size is ${what}`, async () => {
      const hub = await fakeHub();
      hub.faults.add({ kind: 'treeEntry', pathIncludes: '/tree/', set: { size: value, lfs: undefined }, times: Infinity });
      const r = await boundedCli(['download', 'acme/tiny-llm', '--connections', '4'], cliEnv(hub.url));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/file listing of acme\/tiny-llm gives .* an invalid id or size/);
      expect(r.peakMiB).toBeLessThan(MAX_CLI_MIB);
    });
  }
});

describe('bodies from the Hub are capped', () => {
  it('a tree listing that never ends (pages forever) stops with a clear error', async () => {
    const hub = await fakeHub({ treePageSize: 1 });
    hub.faults.add({ kind: 'endlessPages', pathIncludes: '/tree/', times: Infinity });
    const r = await boundedCli(['download', 'acme/tiny-llm'], cliEnv(hub.url), 120_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/listing of acme\/tiny-llm did not end after [\d,]+ pages/);
    expect(r.peakMiB).toBeLessThan(MAX_CLI_MIB);
  }, 150_000);

  it('a listing page of 1 GB is refused after the cap, not read whole', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'hugeBody', pathIncludes: '/tree/', bytes: 1 << 30, times: Infinity });
    const r = await boundedCli(['download', 'acme/tiny-llm'], cliEnv(hub.url));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sent an answer larger than 33\.6 MB; Hubcap refused to read it/);
    expect(r.peakMiB).toBeLessThan(MAX_CLI_MIB);
  });

  it('an error answer with a 1 GB body (Hub or download host) is not read whole', async () => {
    for (const origin of ['api', 'cdn'] as const) {
      const hub = await fakeHub();
      const pathIncludes = origin === 'api' ? '/revision/' : (q4?.sha256 as string);
      // Retry-After: 0 keeps the download host's eight retries quick.
      hub.faults.add({ kind: 'headers', origin, pathIncludes, set: { 'Retry-After': '0' }, times: Infinity });
      hub.faults.add({ kind: 'hugeBody', origin, status: 500, bytes: 1 << 30, pathIncludes, times: Infinity });
      const args = origin === 'api' ? ['download', 'acme/tiny-llm', '*.json'] : ['download', 'acme/tiny-llm', 'tiny-llm-Q4_K_M.gguf'];
      const r = await boundedCli(args, { ...cliEnv(hub.url) }, 90_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        origin === 'api'
          ? /The Hub answered HTTP 500/
          : /could not be downloaded from the download host \(127\.0\.0\.1:\d+\) after \d+ attempts \(last: the download host .* answered HTTP 500\)/,
      );
      expect(r.peakMiB).toBeLessThan(MAX_CLI_MIB);
    }
  }, 120_000);

  it('a model card served far beyond its listed size is not read whole', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'hugeBody', pathIncludes: '/resolve/', bytes: 1 << 30, times: Infinity });
    const { result, riseMiB, ms } = await measured(() => modelDetails(hubHttp(hub), 'acme/tiny-llm', 'main'));
    expect(result).not.toBeInstanceOf(Error);
    expect((result as Awaited<ReturnType<typeof modelDetails>>).card).toBe(null);
    expect((result as Awaited<ReturnType<typeof modelDetails>>).cardNote).toMatch(/could not be read/);
    expect(riseMiB).toBeLessThan(150);
    expect(ms).toBeLessThan(10_000);
  });
});

describe('GGUF headers from the Hub', () => {
  const header = (alignment?: number) =>
    writeGguf(
      { 'general.architecture': { type: 'string', value: 'llama' }, ...(alignment ? { 'general.alignment': { type: 'u32', value: alignment } } : {}) },
      [],
    );

  it('refuses an absurd general.alignment in a 120-byte header, writing nothing large', async () => {
    const bytes = header(2 ** 30);
    expect(bytes.length).toBeLessThan(200);
    const hub = await fakeHub({
      repos: [...standardRepos(), buildRepo({ id: 'evil/align', commits: [{ files: { 'a.gguf': { content: bufferContent(bytes), lfs: true } } }] })],
    });
    const before = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('hubcap-fit-')).length;
    const { result, riseMiB } = await measured(() => remoteGgufHeaders(hubHttp(hub), 'evil/align', 'main', 'a.gguf'));
    expect((result as Error).message).toMatch(/a\.gguf is not a readable GGUF: general\.alignment is 1073741824; real models use 32/);
    expect(riseMiB).toBeLessThan(100);
    expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('hubcap-fit-')).length).toBe(before);
  });

  it('reads only the header of a big GGUF from a server that ignores Range', async () => {
    const head = header();
    const tail = seededContent('tail', 256 * MiB);
    const big = {
      size: 256 * MiB,
      read: (s: number, e: number) => {
        const out = tail.read(s, e);
        if (s < head.length) head.copy(out, 0, s, Math.min(head.length, e));
        return out;
      },
    };
    const hub = await fakeHub({
      repos: [...standardRepos(), buildRepo({ id: 'evil/norange', commits: [{ files: { 'b.gguf': { content: big, lfs: true } } }] })],
    });
    hub.faults.add({ kind: 'ignoreRange', origin: 'cdn', times: Infinity });
    const { result, riseMiB, ms } = await measured(async () => {
      const h = await remoteGgufHeaders(hubHttp(hub), 'evil/norange', 'main', 'b.gguf');
      const size = fs.statSync(h.path).size;
      h.dispose();
      return size;
    });
    expect(result).toBeLessThan(1024);
    expect(riseMiB).toBeLessThan(120);
    expect(ms).toBeLessThan(10_000);
  });
});

describe('redirects and names', () => {
  let evil: http.Server | null = null;
  afterEach(() => new Promise<void>((r) => (evil ? evil.close(() => r()) : r())));

  it('never follows a protocol-relative redirect of a metadata request to another host', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    evil = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'X-Repo-Commit': 'f'.repeat(40), ETag: `"${'a'.repeat(40)}"`, 'Content-Length': '2' });
      res.end('{}');
    });
    await new Promise<void>((r) => evil?.listen(0, '127.0.0.1', r));
    const port = (evil.address() as AddressInfo).port;
    const hub = await fakeHub();
    for (const location of [`//127.0.0.1:${port}/x`, `/\\127.0.0.1:${port}/x`]) {
      hub.faults.add({ kind: 'redirect', method: 'HEAD', pathIncludes: 'config.json', location });
      const r = await boundedCli(['download', 'acme/tiny-llm', 'config.json'], { ...cliEnv(hub.url), HF_TOKEN: 'hf_bob_write_token_00000000000000000' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/lacks a valid commit or file id/);
    }
    expect(seen).toEqual([]);
  });

  it('skips names with control characters or that Windows cannot hold, says why, and never prints an escape', async () => {
    const names = buildRepo({
      id: 'evil/names',
      commits: [
        { files: { 'ok.json': '{}', 'red\u001b[31m.txt': 'x', 'bell\u0007.txt': 'x', 'aux.txt': 'x', 'trailing. ': 'x', 'ab:c.txt': 'x', 'dir/CON': 'x' } },
      ],
    });
    const hub = await fakeHub({ repos: [names] });
    const env = cliEnv(hub.url);
    const whole = await boundedCli(['download', 'evil/names'], env);
    expect(whole.code).toBe(0);
    expect(whole.stderr).not.toContain('\u001b');
    expect(whole.stderr).toContain('skipped "red\\u001b[31m.txt": it contains control characters');
    expect(whole.stderr).toContain('skipped "aux.txt": Windows reserves the name "aux"');
    expect(whole.stderr).toContain('skipped "trailing. ": Windows cannot store a name ending in a dot or a space');
    expect(whole.stderr).toContain('skipped "ab:c.txt": Windows cannot store the character ":" in a file name');
    expect(whole.stderr).toContain('skipped "dir/CON": Windows reserves the name "CON"');
    const scan = scanCache(env.HF_HUB_CACHE);
    expect(scan.repos[0]?.revisions[0]?.files.map((f) => f.path)).toEqual(['ok.json']);
    const asked = await boundedCli(['download', 'evil/names', 'bell\u0007.txt', 'ok.json'], env);
    expect(asked.code).toBe(1);
    expect(asked.stderr).toBe('hubcap: Hubcap will not store "bell\\u0007.txt": it contains control characters.\n');
    // A cache Python wrote with such a name is listed and verified without the escape reaching the terminal.
    const snap = path.join(env.HF_HUB_CACHE, 'models--evil--names', 'snapshots', names.commits[0]?.sha as string);
    fs.copyFileSync(path.join(snap, 'ok.json'), path.join(snap, 'bell\u0007.json'));
    const verify = await boundedCli(['cache', 'verify'], { ...env, HF_HUB_OFFLINE: '1' });
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must not appear
    expect(verify.stdout + verify.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });
});
