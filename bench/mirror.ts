/**
 * Hub mirror benchmark (#28): a cached file served to Python's hf_hub_download (huggingface_hub
 * 2.0, or 1.x with --python hf1) through `hubcap mirror` (its own process, pull-through off)
 * against the same Python from the fakehub directly, rounds alternated (direct, mirror, direct,
 * mirror…), medians; then 8 concurrent clients on that file through the mirror: aggregate
 * throughput and the mirror's peak RSS. Targets: mirror ≥ 1.0× direct; RSS with 8 clients < 200 MB.
 *
 * With --pull-mib N (a far link: N MiB/s per connection, as a CDN edge gives one flow), pull-through
 * as the bytes arrive: Python through a mirror whose cache lacks the file (a fresh mirror process
 * each round) against Python from the fakehub directly over the same link, and for a plain client
 * started beside it (it takes the first MiB and leaves), its first byte against the end of the
 * mirror's own download.
 *
 *   npx tsx bench/mirror.ts [--size MiB (256)] [--rounds R (2)] [--python hf2|hf1] [--pull-mib N [--pull-only]]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bigRepo, standardRepos, TOKENS } from '../test/fakehub/fixtures';
import { startFakeHub } from '../test/fakehub/server';
import { watchRss } from '../test/helpers/rss';
import { bundledCli } from '../test/helpers/cli-bundle';
import { HubHttp } from '../src-main/hub/http';
import { DownloadManager } from '../src-main/downloads/manager';
import { memoryQueueStore } from '../src-main/downloads/queue-store';

const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    rounds: { type: 'string' },
    python: { type: 'string' },
    'pull-mib': { type: 'string' },
    'pull-only': { type: 'boolean', default: false },
  },
});
const MiB = 1 << 20;
const SIZE = Number(values.size ?? 256) * MiB;
const ROUNDS = Number(values.rounds ?? 2);
const PULL_MIB = values['pull-mib'] === undefined ? null : Number(values['pull-mib']);
// The venvs the tests use (test/helpers/hf-python.ts finds the same ones; importing it here would pull in vitest).
const REPO = new URL('../', import.meta.url).pathname;
const PYTHON =
  values.python === 'hf1' ? (process.env.HUBCAP_HF1_PYTHON ?? `${REPO}.venv-hf1/bin/python`) : (process.env.HUBCAP_HF2_PYTHON ?? `${REPO}.venv-hf2/bin/python`);
const KEY = 'bench-mirror-key-000000000000000000';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const mbps = (s: number) => SIZE / MiB / s;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-bench-mirror-'));
// The CDN on another loopback address, as the real one is another host (Python 2.0 follows same-host redirects).
const hub = await startFakeHub({ repos: [...standardRepos(), bigRepo(SIZE)], tokens: TOKENS, storageHost: '127.0.0.2' });
const entry = await bundledCli();

/** Mirror processes still running: stopped in the end even when a round throws. */
const running = new Set<ChildProcess>();

/** `hubcap mirror` over `cache` in its own process, bundled as shipped (tsx alone adds ~70 MB of RSS). */
async function mirrorProcess(cache: string, cacheOnly: boolean): Promise<{ endpoint: string; proc: ChildProcess; stop: () => Promise<void> }> {
  const home = fs.mkdtempSync(path.join(work, 'home-'));
  const proc = spawn(process.execPath, [entry, 'mirror', '--port', '0', '--show-key', ...(cacheOnly ? ['--cache-only'] : [])], {
    env: { PATH: process.env.PATH, HOME: home, HUBCAP_DATA_DIR: path.join(home, 'data'), HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url, HUBCAP_MIRROR_KEY: KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] as string);
    });
    proc.on('exit', (code) => reject(new Error(`hubcap mirror exited ${code}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  return { endpoint, proc, stop };
}

const py = `import sys, time\nfrom huggingface_hub import hf_hub_download\nt=time.perf_counter()\nhf_hub_download('acme/big', 'big.gguf', cache_dir=sys.argv[1])\nprint(time.perf_counter()-t)`;
function pythonSeconds(hfEndpoint: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const dir = fs.mkdtempSync(path.join(work, 'py-'));
    const p = spawn(PYTHON, ['-c', py, dir], {
      env: { ...process.env, HF_ENDPOINT: hfEndpoint, HF_HUB_DISABLE_TELEMETRY: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolve(Number(out.trim()));
      else reject(new Error(`python exited ${code}`));
    });
  });
}

/** A plain client: seconds to its first body byte and to its last, and the bytes it got; it leaves after `upTo` bytes. */
async function plainClient(url: string, upTo = Infinity): Promise<{ first: number; last: number; bytes: number }> {
  const t = performance.now();
  const res = await fetch(url);
  let first = 0;
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    if (bytes === 0) first = (performance.now() - t) / 1000;
    bytes += chunk.length;
    if (bytes >= upTo) break;
  }
  return { first, last: (performance.now() - t) / 1000, bytes };
}

async function cachedFile(): Promise<void> {
  console.log(`Filling a cache with a ${SIZE / MiB} MiB file through Hubcap's engine…`);
  const cache = path.join(work, 'hub');
  const engine = new DownloadManager({
    hub: new HubHttp({ endpoint: hub.url, token: () => null, offline: () => false }),
    cacheDir: () => cache,
    store: memoryQueueStore(),
  });
  engine.add({ repoType: 'model', repo: 'acme/big', revision: 'main' });
  await engine.whenIdle();
  await engine.close();

  console.log('Starting hubcap mirror --cache-only…');
  const mirror = await mirrorProcess(cache, true);
  const fileUrl = `${mirror.endpoint}/acme/big/resolve/main/big.gguf`;
  // The first whole answer verifies the blob as it streams (once per process): not what is timed here.
  await (await fetch(fileUrl)).arrayBuffer();
  const direct: number[] = [];
  const through: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    direct.push(await pythonSeconds(hub.url));
    through.push(await pythonSeconds(mirror.endpoint));
    console.log(`round ${r + 1}: direct ${direct.at(-1)?.toFixed(2)} s, mirror ${through.at(-1)?.toFixed(2)} s`);
  }
  console.log(
    `Python (${values.python ?? 'hf2'}) hf_hub_download, ${SIZE / MiB} MiB cached: fakehub direct ${mbps(median(direct)).toFixed(0)} MiB/s, through the mirror ${mbps(median(through)).toFixed(0)} MiB/s (${(median(direct) / median(through)).toFixed(2)}×)`,
  );

  const idle = watchRss(mirror.proc.pid as number);
  await new Promise((r) => setTimeout(r, 500));
  const idleMiB = idle.stop();
  const rss = watchRss(mirror.proc.pid as number);
  const started = performance.now();
  const got = await Promise.all(Array.from({ length: 8 }, () => plainClient(fileUrl)));
  const seconds = (performance.now() - started) / 1000;
  const peak = rss.stop();
  const total = got.reduce((a, b) => a + b.bytes, 0);
  if (total !== 8 * SIZE) throw new Error(`8 clients got ${total} bytes, not ${8 * SIZE}`);
  console.log(
    `8 concurrent clients: ${(total / MiB / seconds).toFixed(0)} MiB/s aggregate (${seconds.toFixed(1)} s), mirror peak RSS ${peak.toFixed(0)} MiB (${idleMiB.toFixed(0)} MiB before them, after serving Python)`,
  );
  await mirror.stop();
}

async function pulledFile(perConnectionMiB: number): Promise<void> {
  hub.link.set({ perConnection: perConnectionMiB * MiB });
  const direct: number[] = [];
  const through: number[] = [];
  const firsts: number[] = [];
  const pulledEnds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    direct.push(await pythonSeconds(hub.url));
    // A fresh cache and mirror each round: the file is never held when Python asks.
    const cache = fs.mkdtempSync(path.join(work, 'pull-'));
    const mirror = await mirrorProcess(cache, false);
    const blob = path.join(cache, 'models--acme--big', 'blobs');
    const t = performance.now();
    let blobAt = 0;
    const watch = setInterval(() => {
      if (!blobAt && fs.existsSync(blob) && fs.readdirSync(blob).some((n) => !n.includes('.'))) blobAt = (performance.now() - t) / 1000;
    }, 20);
    // Beside Python, a client that takes the first MiB and leaves: when the first byte came (and its leaving costs Python nothing).
    const [seconds, plain] = await Promise.all([pythonSeconds(mirror.endpoint), plainClient(`${mirror.endpoint}/acme/big/resolve/main/big.gguf`, MiB)]);
    clearInterval(watch);
    if (plain.bytes < MiB) throw new Error(`the plain client got ${plain.bytes} bytes`);
    through.push(seconds);
    firsts.push(plain.first);
    pulledEnds.push(blobAt);
    await mirror.stop();
    fs.rmSync(cache, { recursive: true, force: true });
    console.log(
      `round ${r + 1}: direct ${direct.at(-1)?.toFixed(2)} s, through a pulling mirror ${seconds.toFixed(2)} s; plain client's first byte at ${plain.first.toFixed(2)} s, the mirror's blob in place at ${blobAt.toFixed(2)} s`,
    );
  }
  console.log(
    `Pull-through, ${perConnectionMiB} MiB/s per connection: Python direct ${mbps(median(direct)).toFixed(0)} MiB/s, through a mirror that lacks the file ${mbps(median(through)).toFixed(0)} MiB/s (${(median(direct) / median(through)).toFixed(2)}×); first byte ${median(firsts).toFixed(2)} s vs the mirror's download done at ${median(pulledEnds).toFixed(2)} s`,
  );
  hub.link.set({});
}

try {
  if (!values['pull-only']) await cachedFile();
  if (PULL_MIB !== null) await pulledFile(PULL_MIB);
} finally {
  for (const proc of running) proc.kill('SIGTERM');
  await hub.close();
  fs.rmSync(work, { recursive: true, force: true });
}
