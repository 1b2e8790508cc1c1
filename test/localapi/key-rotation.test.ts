/**
 * Keys that rotate, with the CLI as real processes: under `hubcap serve --api-port`, "New key"
 * through the serve WebSocket (what Settings › Local API calls) retires the old key at once and
 * the key the UI shows works; a `hubcap api` sharing the OS keychain (a real Secret Service in its
 * own D-Bus session) retires it too; keys are printed masked unless `--show-key`; `/health`
 * without the key says only ok/loading.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskKey } from '../../src-main/localapi/api-key';
import { startCli } from '../helpers/cli';
import { connectServe, type ServeClient } from '../helpers/serve-client';
import { tmpDir } from '../helpers/tmp';

const ENTRY = new URL('../../src-main/cli/hubcap.ts', import.meta.url).pathname;

/** A stand-in for the built UI: serve needs an index.html to start; these tests use its WebSocket only. */
function uiDir(): string {
  const dir = tmpDir('hubcap-ui-');
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Hubcap</title>');
  return dir;
}

function env(home: string): Record<string, string> {
  return {
    HOME: home,
    HUBCAP_DATA_DIR: path.join(home, 'data'),
    HF_HUB_CACHE: path.join(home, 'hub'),
    HF_ENDPOINT: 'http://127.0.0.1:1',
    HF_HUB_OFFLINE: '1',
    HUBCAP_UI_DIR: uiDir(),
  };
}

/** What a process printed so far, and a wait for a line matching `pattern` in it. */
function watch(p: ChildProcess) {
  let stdout = '';
  let stderr = '';
  let exited: number | null | undefined;
  p.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  p.on('exit', (code) => (exited = code));
  const waitFor = async (pick: () => string, pattern: RegExp): Promise<RegExpExecArray> => {
    await expect
      .poll(
        () => {
          if (exited !== undefined) throw new Error(`exited with ${exited}:\n${stderr}`);
          return pattern.test(pick());
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe(true);
    return pattern.exec(pick()) as RegExpExecArray;
  };
  return {
    out: () => stdout,
    err: () => stderr,
    stdoutLine: (pattern: RegExp) => waitFor(() => stdout, pattern),
    stderrLine: (pattern: RegExp) => waitFor(() => stderr, pattern),
  };
}

/** Stops a process (its whole group when it leads one) and waits for it to exit. */
async function stop(p: ChildProcess, group = false): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null || p.pid === undefined) return;
  const exited = new Promise((r) => p.once('exit', r));
  if (group) process.kill(-p.pid, 'SIGTERM');
  else p.kill('SIGTERM');
  await exited;
  if (group) {
    try {
      process.kill(-p.pid, 'SIGKILL'); // whatever the group left behind (the keyring daemon)
    } catch {
      // already gone
    }
  }
}

async function status(url: string, key?: string): Promise<number> {
  const res = await fetch(url, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  await res.arrayBuffer();
  return res.status;
}

async function keyOf(ui: ServeClient): Promise<string> {
  const r = await ui.call('localApi.key', {});
  expect(r.ok).toBe(true);
  return (r.value as { key: string }).key;
}

describe('keys that rotate', () => {
  it('serve --api-port: "New key" from the UI retires the old key at once and the shown one works; printed masked', async () => {
    const home = tmpDir();
    const p = startCli(['serve', '--port', '0', '--api-port', '0'], env(home));
    const w = watch(p);
    let ui: ServeClient | null = null;
    try {
      const serveUrl = (await w.stdoutLine(/Hubcap is serving on (\S+)/))[1] as string;
      const apiUrl = (await w.stdoutLine(/Local API on (\S+)/))[1] as string;
      const printed = (await w.stderrLine(/API key \(([^)]*)\): (\S+); --show-key prints it/))[2] as string;
      ui = await connectServe(serveUrl);
      const first = await keyOf(ui);
      // Masked, and the very key the UI shows (before, the CLI made its own and printed it whole).
      expect(printed).toBe(maskKey(first));
      expect(w.err()).not.toContain(first);
      expect(await status(`${apiUrl}/models`, first)).toBe(200);

      // Without the key /health says only whether it is up; with it, the details.
      const bare = await fetch(`${apiUrl.replace(/\/v1$/, '')}/health`);
      expect({ status: bare.status, body: await bare.json() }).toEqual({ status: 200, body: { status: 'ok' } });
      const detailed = await fetch(`${apiUrl.replace(/\/v1$/, '')}/health`, { headers: { authorization: `Bearer ${first}` } });
      expect(await detailed.json()).toMatchObject({ status: 'no_model', message: expect.stringContaining('Library') });

      const rotated = await ui.call('localApi.regenerateKey', {});
      expect(rotated.ok).toBe(true);
      expect(await status(`${apiUrl}/models`, first)).toBe(401);
      const second = await keyOf(ui);
      expect(second).not.toBe(first);
      expect(await status(`${apiUrl}/models`, second)).toBe(200);
      expect((rotated.value as { key: { masked: string } }).key.masked).toBe(maskKey(second));
    } finally {
      ui?.close();
      await stop(p);
    }
  }, 120_000);

  it('hubcap api prints the key whole only with --show-key, and that key works', async () => {
    const home = tmpDir();
    const p = startCli(['api', '--port', '0', '--show-key'], env(home));
    const w = watch(p);
    try {
      const apiUrl = (await w.stdoutLine(/^(http:\S+\/v1)$/m))[1] as string;
      const key = (await w.stderrLine(/API key \(this run only[^)]*\): (hc-\S+)\n/))[1] as string;
      expect(key).toMatch(/^hc-[A-Za-z0-9_-]{32}$/);
      expect(await status(`${apiUrl}/models`, key)).toBe(200);
      expect(await status(`${apiUrl}/models`, `${key}x`)).toBe(401);
    } finally {
      await stop(p);
    }
  }, 120_000);

  it('a key kept in the OS keychain and rotated under serve stops working in a running hubcap api too', async () => {
    for (const tool of ['dbus-run-session', 'gnome-keyring-daemon']) {
      const found = (process.env.PATH ?? '').split(':').some((dir) => fs.existsSync(path.join(dir, tool)));
      if (!found) throw new Error(`${tool} is missing: apt-get install dbus gnome-keyring (a real Secret Service for the keychain tests)`);
    }
    const home = tmpDir();
    const go = path.join(home, 'go');
    const apiOut = path.join(home, 'api.out');
    const apiErr = path.join(home, 'api.err');
    // One D-Bus session with an unlocked keyring: serve first (it makes the key), then, once told, hubcap api beside it.
    const script = [
      'echo -n hubcap-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1',
      `"${process.execPath}" --import tsx "${ENTRY}" serve --port 0 --api-port 0 &`,
      `while [ ! -e "${go}" ]; do sleep 0.05; done`,
      `HUBCAP_DATA_DIR="${path.join(home, 'api-data')}" "${process.execPath}" --import tsx "${ENTRY}" api --port 0 >"${apiOut}" 2>"${apiErr}" &`,
      'wait',
    ].join('\n');
    const p = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
      env: { PATH: process.env.PATH, ...env(home) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const w = watch(p);
    let ui: ServeClient | null = null;
    try {
      const serveUrl = (await w.stdoutLine(/Hubcap is serving on (\S+)/))[1] as string;
      const serveApi = (await w.stdoutLine(/Local API on (\S+)/))[1] as string;
      await w.stderrLine(/API key \(in the OS keychain\): \S+; --show-key prints it/);
      ui = await connectServe(serveUrl);
      const first = await keyOf(ui);
      fs.writeFileSync(go, '');
      const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
      await expect.poll(() => read(apiOut), { timeout: 60_000, interval: 50 }).toMatch(/^http:\S+\/v1\n/);
      const apiUrl = read(apiOut).split('\n')[0] as string;
      await expect.poll(() => read(apiErr), { timeout: 10_000, interval: 50 }).toContain(`API key (in the OS keychain): ${maskKey(first)}`);
      expect(read(apiErr)).not.toContain(first);
      expect(await status(`${apiUrl}/models`, first)).toBe(200);

      expect((await ui.call('localApi.regenerateKey', {})).ok).toBe(true);
      const second = await keyOf(ui);
      expect(await status(`${serveApi}/models`, first)).toBe(401);
      // The other process reads the keychain again at most a second after its last read.
      await expect.poll(() => status(`${apiUrl}/models`, first), { timeout: 10_000, interval: 100 }).toBe(401);
      expect(await status(`${apiUrl}/models`, second)).toBe(200);
    } finally {
      ui?.close();
      await stop(p, true);
    }
  }, 180_000);
});
