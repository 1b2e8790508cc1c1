/** Starts the real `hubcap serve` (bin/hubcap.js) on a random port with a throwaway HOME. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { standardRepos } from '../fakehub/fixtures';
import { startFakeHub, type FakeHub, type FakeHubOptions } from '../fakehub/server';
import { launchChromium, newContext } from './chromium';
import { Teardown } from './teardown';

export interface ServeProcess {
  url: string;
  baseUrl: string;
  port: number;
  secret: string;
  home: string;
  dataDir: string;
  hfHome: string;
  proc: ChildProcess;
  /** Everything the server printed (stdout and stderr), for leakage checks. */
  output(): string;
  stop(): Promise<void>;
}

const BIN = new URL('../../bin/hubcap.js', import.meta.url).pathname;

export interface ServeOptions {
  env?: Record<string, string>;
  /** Prepare the throwaway folders before the server starts (e.g. a corrupt settings file). */
  before?: (dirs: { home: string; dataDir: string; hfHome: string }) => void;
  /** Run inside dbus-run-session with an unlocked gnome-keyring (a real Secret Service). */
  keychain?: boolean;
  /** A fixed port (a restart test brings a server back where the last one was); default: any free one. */
  port?: number;
}

export async function startServe(opts: ServeOptions = {}): Promise<ServeProcess> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-e2e-'));
  const dataDir = path.join(home, 'data');
  const hfHome = path.join(home, 'hf');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    opts.before?.({ home, dataDir, hfHome });
  } catch (error) {
    fs.rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    HF_HOME: hfHome,
    HUBCAP_DATA_DIR: dataDir,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    ...opts.env,
  };
  const proc = opts.keychain
    ? spawn(
        'dbus-run-session',
        [
          '--',
          'sh',
          '-c',
          `echo -n hubcap-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "${process.execPath}" "${BIN}" serve --port ${opts.port ?? 0}`,
        ],
        // Its own process group: stopping it must also stop the server dbus-run-session started.
        { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
      )
    : spawn(process.execPath, [BIN, 'serve', '--port', String(opts.port ?? 0)], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  let output = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    output += d.toString();
  });
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) {
      const exited = new Promise((r) => proc.once('exit', r));
      process.kill(-proc.pid, 'SIGTERM');
      await exited;
    }
    // Whatever is left of the group (the server behind dbus-run-session) goes too.
    try {
      if (proc.pid !== undefined) process.kill(-proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    fs.rmSync(home, { recursive: true, force: true });
  };
  const started = new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`hubcap serve did not start:\n${stderr}`)), 15_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+\?key=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hubcap serve exited with ${code}:\n${stderr}`));
    });
  });
  // A server that never printed its URL (too slow, or it failed) is stopped, not left running.
  const url = await started.catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const parsed = new URL(url);
  return {
    url,
    baseUrl: `${parsed.origin}/`,
    port: Number(parsed.port),
    secret: parsed.searchParams.get('key') ?? '',
    home,
    dataDir,
    hfHome,
    proc,
    output: () => output,
    stop,
  };
}

/** A stand-in Hub endpoint that answers the reachability probe (fakehub arrives with the cache issue). */
export async function startTinyHub(): Promise<{ url: string; close(): Promise<void>; requests: string[]; cookies: string[] }> {
  const requests: string[] = [];
  const cookies: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.headers.cookie) cookies.push(req.headers.cookie);
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(req.method === 'HEAD' ? undefined : '<!doctype html><title>elsewhere</title>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, cookies, close: () => new Promise((r) => server.close(() => r())) };
}

/** One served app in one Chromium page, signed in with the URL's key, opened on `route` (if given) once its heading shows. */
export interface ServedPage {
  browser: Browser;
  serve: ServeProcess;
  page: Page;
  close(): Promise<void>;
}

export interface ServedPageOptions extends ServeOptions {
  route?: string;
  heading?: string;
  viewport?: { width: number; height: number };
}

/** `teardown`: the caller's, when it started something first (a fake Hub) that must go in the same close. */
export async function openServedPage(opts: ServedPageOptions, teardown = new Teardown()): Promise<ServedPage> {
  return teardown.build(async () => {
    // Started before the browser so it stops after it: the page never sees its server go first.
    const serve = teardown.add(await startServe(opts), (s) => s.stop());
    const browser = teardown.add(await launchChromium(), (b) => b.close());
    const page = await (await newContext(browser, { viewport: opts.viewport ?? { width: 1280, height: 900 } })).newPage();
    await page.goto(serve.url);
    if (opts.route) await page.goto(`${serve.baseUrl}#${opts.route}`);
    if (opts.heading) await page.getByRole('heading', { level: 1, name: opts.heading }).waitFor();
    return { browser, serve, page, close: () => teardown.close() };
  });
}

/** The fake Hub (the standard repos unless told) and one served page on it, for a whole e2e file. */
export interface HubServedPage extends ServedPage {
  hub: FakeHub;
}

export interface FakeHubPageOptions extends Omit<ServedPageOptions, 'heading'> {
  /** Runs once the fake Hub is up and before the app starts (e.g. a cache prepared from it, a commit pushed). */
  prepare?: (hub: FakeHub) => Promise<void>;
}

/** Its `close` stops the page, the server and the fake Hub in one teardown, also when opening fails halfway. */
export async function openWithFakeHub(opts: FakeHubPageOptions = {}, hubOptions: FakeHubOptions = { repos: standardRepos() }): Promise<HubServedPage> {
  const teardown = new Teardown();
  return teardown.build(async () => {
    const hub = teardown.add(await startFakeHub(hubOptions), (h) => h.close());
    await opts.prepare?.(hub);
    const served = await openServedPage({ ...opts, env: { HF_ENDPOINT: hub.url, ...opts.env } }, teardown);
    await served.page.getByRole('navigation', { name: 'Main' }).waitFor();
    return { ...served, hub };
  });
}
