/** The `hubcap` command line, run as a real process (through tsx) against fakehub. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bigRepo, MiB, tinyLlm } from '../fakehub/fixtures';
import { fakeHub, requestsTo } from '../helpers/hub';
import { partialOf } from '../helpers/files';
import { cliEnv as envFor, runCli as run, startCli as start } from '../helpers/cli';
import { buildRepo } from '../fakehub/model';
import { ggufWithTemplate } from '../fakehub/xet/delta';
import { misnameXetHash } from '../fakehub/xet/fixtures';

describe('hubcap download / cache', () => {
  // Seven CLI processes through tsx: over 20 s on a machine as loaded as CI can be.
  it('downloads, lists, verifies and removes, with a final JSON line', async () => {
    const hub = await fakeHub();
    const env = envFor(hub.url);
    const dl = await run(['download', 'acme/tiny-llm', '*.json', 'README.md', '--json'], env);
    expect(dl.code).toBe(0);
    const result = JSON.parse(dl.stdout.trim().split('\n').pop() as string) as { ok: boolean; files: string[]; commit: string; snapshot: string };
    expect(result.ok).toBe(true);
    expect(result.files.sort()).toEqual(['README.md', 'config.json', 'sub/dir/tokenizer.json']);
    expect(result.commit).toBe(tinyLlm().commits[1]?.sha);
    expect(fs.readFileSync(path.join(result.snapshot, 'README.md'), 'utf8')).toContain('tiny-llm');

    const ls = await run(['cache', 'ls', '--json'], env);
    const scan = JSON.parse(ls.stdout) as { repos: { id: string; nbFiles: number }[] };
    expect(scan.repos).toEqual([expect.objectContaining({ id: 'acme/tiny-llm', nbFiles: 3 })]);
    const table = await run(['cache', 'ls'], env);
    expect(table.stdout).toMatch(/acme\/tiny-llm\s+model\s+1\s+3/);

    expect((await run(['cache', 'verify'], env)).stdout).toMatch(/acme\/tiny-llm: 3\/3 blobs ok/);
    const dry = await run(['cache', 'rm', 'acme/tiny-llm', '--dry-run'], env);
    expect(dry.stdout).toMatch(/Would free/);
    expect(fs.existsSync(path.join(env.HF_HUB_CACHE, 'models--acme--tiny-llm'))).toBe(true);
    expect((await run(['cache', 'rm', 'acme/tiny-llm'], env)).code).toBe(0);
    expect(fs.existsSync(path.join(env.HF_HUB_CACHE, 'models--acme--tiny-llm'))).toBe(false);
  }, 60_000);

  it('--json says which road each file took, what this machine saved, and which Xet hash did not hold', async () => {
    const size = 2 << 20;
    const hub = await fakeHub({ storageHost: '127.0.0.2', xet: {} });
    const files = { 'model.gguf': ggufWithTemplate(size, '{{ x }}'), 'config.json': '{"v":1}' };
    for (const id of ['acme/xet-llm', 'other/xet-llm']) hub.addRepo(buildRepo({ id, commits: [{ files }] }));
    misnameXetHash(hub, 'acme/xet-llm', 'model.gguf');
    const env = envFor(hub.url);
    type Result = { via: Record<string, string>; savedBytes: number; xetHashDiffers: string[] };
    const first = await run(['download', 'acme/xet-llm', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout) as Result).toMatchObject({
      via: { 'model.gguf': 'xet', 'config.json': 'http' },
      savedBytes: 0,
      xetHashDiffers: ['model.gguf'],
    });
    expect(first.stderr).toMatch(/model\.gguf: its sha256 matched, but its chunks did not hash to the Xet hash the Hub named; it was kept/);
    // The same file in another repo comes from this machine.
    const second = await run(['download', 'other/xet-llm', '--json'], env);
    expect(second.code, second.stderr).toBe(0);
    const r = JSON.parse(second.stdout) as Result;
    expect(r.via['model.gguf']).toBe('local');
    expect(r.savedBytes).toBeGreaterThanOrEqual(size);
    expect(r.xetHashDiffers).toEqual([]);
  }, 60_000);

  it('ends with a summary line (files, bytes, time, where) and the snapshot path on stdout', async () => {
    const hub = await fakeHub();
    const plain = await run(['download', 'acme/tiny-llm', 'README.md'], envFor(hub.url));
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim()).toMatch(/snapshots\/[0-9a-f]{40}$/);
    const [summary, where] = (plain.stderr.trim().split('\n').pop() as string).split(' → ');
    expect(summary).toMatch(/^hubcap: 1 file, \d+ B in \d+\.\d s$/);
    expect(where).toBe(plain.stdout.trim());
  });

  it('fails with a one-line reason and a non-zero exit', async () => {
    const hub = await fakeHub();
    const env = envFor(hub.url);
    const gated = await run(['download', 'acme/gated-llm'], env);
    expect(gated.code).toBe(1);
    expect(gated.stderr.trim().split('\n')).toHaveLength(1);
    expect(gated.stderr).toMatch(/^hubcap: acme\/gated-llm is gated/);
    // A headless box is told how to sign in without a browser.
    expect(gated.stderr).toMatch(/`hubcap login`.*HF_TOKEN=hf_…/);
    const offline = await run(['download', 'acme/tiny-llm', 'config.json'], { ...env, HF_HUB_OFFLINE: '1' });
    expect(offline.stderr).toMatch(/Offline mode is on/);
    expect((await run(['download', '../etc'], env)).stderr).toMatch(/not a valid repo id/);
    expect((await run(['cache', 'rm', 'nope/nope'], env)).stderr).toMatch(/not in the cache/);
  });

  it('resumes after kill -9 at about half, fetching only the rest, with the right sha256', async () => {
    const big = bigRepo(32 * MiB);
    const hub = await fakeHub({ repos: [big] });
    const file = big.commits[0]?.files.get('big.gguf');
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 8 * MiB });
    const env = envFor(hub.url);
    const partial = () => partialOf(path.join(env.HF_HUB_CACHE, 'models--acme--big'), file?.sha256 as string);
    // One connection: its partial is a plain prefix, resumed from the file's size (the adaptive case is in test/downloads/adaptive.test.ts).
    const child = start(['download', 'acme/big', '--quiet', '--connections', '1'], env);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const p = partial();
      const size = p ? fs.statSync(p).size : 0;
      if (size >= 16 * MiB) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const kept = fs.statSync(partial() as string).size;
    expect(kept).toBeGreaterThanOrEqual(16 * MiB);
    expect(kept).toBeLessThan(32 * MiB);

    const again = await run(['download', 'acme/big', '--json', '--connections', '1'], env);
    expect(again.code).toBe(0);
    const last = requestsTo(hub, 'cdn').at(-1);
    expect(last?.range).toBe(`bytes=${kept}-`);
    const blob = path.join(env.HF_HUB_CACHE, 'models--acme--big', 'blobs', file?.sha256 as string);
    expect(createHash('sha256').update(fs.readFileSync(blob)).digest('hex')).toBe(file?.sha256);
    expect(partial()).toBe(null);
  });
});
