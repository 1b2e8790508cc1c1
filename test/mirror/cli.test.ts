/**
 * `hubcap mirror` as a process (#28.1, #28.3): the first line is the endpoint to give others (the
 * key masked unless --show-key), --json carries it with the figures, a non-loopback --host warns as
 * serve --host does, and the printed endpoint works.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv, startCli } from '../helpers/cli';
import { fakeHub } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';

const KEY = 'cli-test-mirror-key-0000000000000';
const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

/** Starts the command and resolves with its first stdout line and what stderr said by then. */
async function firstLine(args: string[], env: Record<string, string>): Promise<{ line: string; stderr: () => string; proc: ChildProcess }> {
  const proc = startCli(['mirror', ...args], env);
  running.push(proc);
  let out = '';
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] as string);
    });
    proc.on('exit', (code) => reject(new Error(`hubcap mirror exited ${code}: ${err}`)));
  });
  return { line, stderr: () => err, proc };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 50));
}

describe('hubcap mirror', () => {
  it('prints the endpoint first, the key masked, and the endpoint answers once shown in full', async () => {
    const hub = await fakeHub();
    const env = { ...cliEnv(hub.url), HUBCAP_MIRROR_KEY: KEY };
    const masked = await firstLine(['--port', '0'], env);
    expect(masked.line).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cli-t…0000$/);
    expect(masked.line).not.toContain(KEY);
    await until(() => masked.stderr().includes('HF_ENDPOINT'));
    expect(masked.stderr()).toContain('mirror key from HUBCAP_MIRROR_KEY; --show-key prints the endpoint in full');
    expect(masked.stderr()).not.toContain('warning');
    const full = await firstLine(['--port', '0', '--show-key', '--cache-only'], env);
    expect(full.line).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${KEY}$`));
    // An empty cache and no pull-through: the Hub's answer for a repo it does not hold.
    const res = await fetch(`${full.line}/api/models/acme/tiny-llm`);
    expect([res.status, res.headers.get('x-error-code')]).toEqual([401, 'RepoNotFound']);
  }, 120_000);

  it('--json gives the endpoint and the figures; a non-loopback --host warns', async () => {
    const hub = await fakeHub();
    const env = { ...cliEnv(hub.url), HUBCAP_MIRROR_KEY: KEY };
    const j = await firstLine(['--port', '0', '--host', '0.0.0.0', '--json', '--allow', '10.0.0.0/8'], env);
    const first = JSON.parse(j.line) as { endpoint: string; url: string; keySource: string; stats: Record<string, number> };
    expect(first.endpoint).toMatch(/^http:\/\/[\d.]+:\d+\/cli-t…0000$/);
    expect(first.keySource).toBe('HUBCAP_MIRROR_KEY');
    expect(first.stats).toEqual({ clients: 0, connected: 0, requests: 0, bytesFromCache: 0, bytesWhilePulling: 0, bytesUpstream: 0, refusedBlobs: 0 });
    await until(() => j.stderr().includes('warning'));
    expect(j.stderr()).toContain('hubcap: warning: listening on 0.0.0.0; anyone who can reach it and has the key');
  }, 120_000);

  it('serve --mirror-port starts the mirror beside the UI on the same address', async () => {
    const hub = await fakeHub();
    const ui = tmpDir('hubcap-ui-');
    fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>Hubcap</title>');
    const env = { ...cliEnv(hub.url), HUBCAP_MIRROR_KEY: KEY, HUBCAP_UI_DIR: ui };
    const proc = startCli(['serve', '--port', '0', '--mirror-port', '0', '--show-key'], env);
    running.push(proc);
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /Hub mirror on \S+\n/.test(out) || proc.exitCode !== null);
    const endpoint = /Hub mirror on (\S+)\n/.exec(out)?.[1] as string;
    expect(endpoint).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${KEY}$`));
    // Pulling through by default: a public repo this cache lacks comes from the Hub.
    const res = await fetch(`${endpoint}/api/models/acme/tiny-llm`);
    expect([res.status, ((await res.json()) as { id: string }).id]).toEqual([200, 'acme/tiny-llm']);
  }, 120_000);

  it('refuses a bad --allow or --rate-limit with the reason', async () => {
    const hub = await fakeHub();
    const env = { ...cliEnv(hub.url), HUBCAP_MIRROR_KEY: KEY };
    for (const [args, why] of [
      [['--allow', 'lan'], '--allow'],
      [['--rate-limit', 'fast'], '--rate-limit'],
    ] as const) {
      const proc = startCli(['mirror', '--port', '0', ...args], env);
      running.push(proc);
      let err = '';
      proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise((r) => proc.on('exit', r));
      expect(code).toBe(1);
      expect(err).toContain(why);
    }
  }, 120_000);
});
