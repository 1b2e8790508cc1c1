/**
 * The hangs of #23 as real processes: named pipes in Ollama's store and in the Hugging Face cache
 * under `hubcap scan-apps`, `hubcap cache verify`, `hubcap serve --api-port` and `hubcap api`, and
 * SIGTERM ending each within 2 s — even with a thread of the pool stuck in a file call for good.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { otherAppsHome } from '../fixtures/other-apps';
import { collect, startCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';
import { commitOf, writePythonRevision } from '../helpers/python-cache';

const KEY = 'hc-hostile-files-1234567890';

/** A HOME whose Ollama blob and whose cached model blob are both named pipes. */
function hostileHome() {
  const apps = otherAppsHome();
  fs.rmSync(apps.ollama.hfBlob);
  execFileSync('mkfifo', [apps.ollama.hfBlob]);
  const cache = path.join(apps.home, 'hub');
  const commit = commitOf('fifo-blob');
  writePythonRevision(cache, 'models--hubcap-test--tiny-llama-GGUF', commit, [{ path: 'tiny-llama-F32.gguf', data: apps.tinyLlama, lfs: true }], {
    refs: ['main'],
  });
  const blobs = path.join(cache, 'models--hubcap-test--tiny-llama-GGUF', 'blobs');
  const blob = path.join(blobs, fs.readdirSync(blobs)[0] as string);
  fs.rmSync(blob);
  execFileSync('mkfifo', [blob]);
  const ui = tmpDir('hubcap-ui-');
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>Hubcap</title>');
  const env = {
    HOME: apps.home,
    HUBCAP_DATA_DIR: path.join(apps.home, 'data'),
    HF_HUB_CACHE: cache,
    HF_HUB_OFFLINE: '1',
    HUBCAP_API_KEY: KEY,
    HUBCAP_UI_DIR: ui,
  };
  return { apps, env };
}

function lineMatching(p: ReturnType<typeof startCli>, re: RegExp, ms = 30_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no line like ${re} in ${ms} ms: ${out}`)), ms);
    const on = (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    p.stdout?.on('data', on);
    p.stderr?.on('data', on);
    p.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

async function timed(url: string, init: RequestInit = {}, ms = 5000): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
  await r.arrayBuffer();
  return { status: r.status, ms: Date.now() - started };
}

/** SIGTERM, then how long until the process is gone. */
async function termTime(p: ReturnType<typeof startCli>): Promise<number> {
  const exited = new Promise((r) => p.once('exit', r));
  const started = Date.now();
  p.kill('SIGTERM');
  const gone = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
  if (!gone) p.kill('SIGKILL');
  return gone ? Date.now() - started : Infinity;
}

describe('named pipes where files should be, with real processes', () => {
  it('hubcap scan-apps finishes and names the pipe; hubcap cache verify reports it instead of hanging', async () => {
    const { env } = hostileHome();
    const scan = await collect(startCli(['scan-apps'], env));
    expect(scan.code).toBe(0);
    expect(scan.stdout).toMatch(/its model blob is a named pipe/);
    const verify = startCli(['cache', 'verify'], env);
    const done = collect(verify);
    const result = await Promise.race([done, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
    if (!result) verify.kill('SIGKILL');
    expect(result).not.toBeNull();
    expect(`${result?.stdout}${result?.stderr}`).toMatch(/corrupt|CORRUPT/i);
  }, 60_000);

  it('hubcap serve --api-port: /health and /v1/models answer, and SIGTERM ends it within 2 s', async () => {
    const { env } = hostileHome();
    const p = startCli(['serve', '--port', '0', '--api-port', '0'], env);
    try {
      const [, api] = await lineMatching(p, /Local API on (http:\/\/127\.0\.0\.1:\d+\/v1)/);
      expect((await timed(`${api?.replace(/\/v1$/, '')}/health`)).status).toBe(200);
      const models = await timed(`${api}/models`, { headers: { Authorization: `Bearer ${KEY}` } });
      expect(models.status).toBe(200);
      expect(await termTime(p)).toBeLessThan(2000);
    } finally {
      p.kill('SIGKILL');
    }
  }, 60_000);

  it('hubcap api: the same', async () => {
    const { env } = hostileHome();
    const p = startCli(['api', '--port', '0'], env);
    try {
      const [, api] = await lineMatching(p, /^(http:\/\/127\.0\.0\.1:\d+\/v1)$/m);
      expect((await timed(`${api}/models`, { headers: { Authorization: `Bearer ${KEY}` } })).status).toBe(200);
      expect(await termTime(p)).toBeLessThan(2000);
    } finally {
      p.kill('SIGKILL');
    }
  }, 60_000);

  it('SIGTERM ends the process within 2 s even when pool threads are stuck in a file call for good', async () => {
    const dir = tmpDir();
    const pipes = [0, 1, 2, 3, 4, 5].map((i) => path.join(dir, `p${i}`));
    for (const p of pipes) execFileSync('mkfifo', [p]);
    // What a plain fs.open of a FIFO does: it blocks its thread until a writer comes (never).
    const script = `
      import fs from 'node:fs';
      import { stopOnSignals } from ${JSON.stringify(new URL('../../src-main/cli/signals.ts', import.meta.url).pathname)};
      for (const p of ${JSON.stringify(pipes)}) fs.promises.open(p, 'r').catch(() => {});
      stopOnSignals(() => fs.promises.stat('/tmp'));
      setInterval(() => {}, 1000);
      setTimeout(() => console.log('ready'), 300);
    `;
    const file = path.join(dir, 'stuck.ts');
    fs.writeFileSync(file, script);
    const p = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await lineMatching(p, /ready/);
      expect(await termTime(p)).toBeLessThan(2000);
      expect(err).toMatch(/did not return/);
    } finally {
      p.kill('SIGKILL');
    }
  }, 30_000);

  it('SIGTERM ends the process within 2 s when one pool thread is stuck and the rest answer (process.exit would join it)', async () => {
    const dir = tmpDir();
    const pipe = path.join(dir, 'p');
    execFileSync('mkfifo', [pipe]);
    const script = `
      import fs from 'node:fs';
      import { stopOnSignals } from ${JSON.stringify(new URL('../../src-main/cli/signals.ts', import.meta.url).pathname)};
      fs.promises.open(${JSON.stringify(pipe)}, 'r').catch(() => {});
      stopOnSignals(() => fs.promises.stat('/tmp'));
      setInterval(() => {}, 1000);
      setTimeout(() => console.log('ready'), 300);
    `;
    const file = path.join(dir, 'stuck1.ts');
    fs.writeFileSync(file, script);
    const p = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await lineMatching(p, /ready/);
      const exited = new Promise<NodeJS.Signals | null>((r) => p.once('exit', (_code, signal) => r(signal)));
      expect(await termTime(p)).toBeLessThan(2000);
      // Ended by the signal it was sent (exit status 143), as Unix tools do after cleaning up.
      expect(await exited).toBe('SIGTERM');
    } finally {
      p.kill('SIGKILL');
    }
  }, 30_000);
});
