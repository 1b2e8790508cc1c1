/**
 * Hub mirror benchmark (#28): a cached file served to Python's hf_hub_download (huggingface_hub
 * 2.0) through `hubcap mirror` (its own process, pull-through off) against the same Python from the
 * fakehub directly, rounds alternated (direct, mirror, direct, mirror…), medians; then 8 concurrent
 * clients on that file through the mirror: aggregate throughput and the mirror's peak RSS.
 * Targets: mirror ≥ 1.0× direct; RSS with 8 clients < 200 MB.
 *
 *   npx tsx bench/mirror.ts [--size MiB (default 256)] [--rounds R (default 2)]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bigRepo, standardRepos, TOKENS } from '../test/fakehub/fixtures';
import { startFakeHub } from '../test/fakehub/server';
import { hfPython } from '../test/helpers/hf-python';
import { watchRss } from '../test/helpers/rss';
import { bundledCli } from '../test/helpers/cli-bundle';
import { HubHttp } from '../src-main/hub/http';
import { DownloadManager } from '../src-main/downloads/manager';
import { memoryQueueStore } from '../src-main/downloads/queue-store';

const { values } = parseArgs({ options: { size: { type: 'string' }, rounds: { type: 'string' } } });
const MiB = 1 << 20;
const SIZE = Number(values.size ?? 256) * MiB;
const ROUNDS = Number(values.rounds ?? 2);
const KEY = 'bench-mirror-key-000000000000000000';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-bench-mirror-'));
// The CDN on another loopback address, as the real one is another host (Python 2.0 follows same-host redirects).
const hub = await startFakeHub({ repos: [...standardRepos(), bigRepo(SIZE)], tokens: TOKENS, storageHost: '127.0.0.2' });
try {
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

  console.log('Starting hubcap mirror (its own process, bundled as shipped: tsx alone adds ~70 MB of RSS)…');
  const entry = await bundledCli();
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  const mirror = spawn(process.execPath, [entry, 'mirror', '--port', '0', '--show-key', '--cache-only'], {
    env: { PATH: process.env.PATH, HOME: home, HUBCAP_DATA_DIR: path.join(home, 'data'), HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url, HUBCAP_MIRROR_KEY: KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    mirror.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] as string);
    });
    mirror.on('exit', (code) => reject(new Error(`hubcap mirror exited ${code}`)));
  });
  const fileUrl = `${endpoint}/acme/big/resolve/main/big.gguf`;
  // The first whole answer verifies the blob as it streams (once per process): not what is timed here.
  await (await fetch(fileUrl)).arrayBuffer();

  const py = `import sys, time\nfrom huggingface_hub import hf_hub_download\nt=time.perf_counter()\nhf_hub_download('acme/big', 'big.gguf', cache_dir=sys.argv[1])\nprint(time.perf_counter()-t)`;
  const pythonSeconds = (hfEndpoint: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const dir = fs.mkdtempSync(path.join(work, 'py-'));
      const p = spawn(hfPython(), ['-c', py, dir], {
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

  const direct: number[] = [];
  const through: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    direct.push(await pythonSeconds(hub.url));
    through.push(await pythonSeconds(endpoint));
    console.log(`round ${r + 1}: direct ${direct.at(-1)?.toFixed(2)} s, mirror ${through.at(-1)?.toFixed(2)} s`);
  }
  const mbps = (s: number) => SIZE / MiB / s;
  console.log(
    `Python hf_hub_download, ${SIZE / MiB} MiB: fakehub direct ${mbps(median(direct)).toFixed(0)} MiB/s, through the mirror ${mbps(median(through)).toFixed(0)} MiB/s (${(median(direct) / median(through)).toFixed(2)}×)`,
  );

  const idle = watchRss(mirror.pid as number);
  await new Promise((r) => setTimeout(r, 500));
  const idleMiB = idle.stop();
  const rss = watchRss(mirror.pid as number);
  const started = performance.now();
  const got = await Promise.all(
    Array.from({ length: 8 }, async () => {
      const res = await fetch(fileUrl);
      let n = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) n += chunk.length;
      return n;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const peak = rss.stop();
  const total = got.reduce((a, b) => a + b, 0);
  if (total !== 8 * SIZE) throw new Error(`8 clients got ${total} bytes, not ${8 * SIZE}`);
  console.log(
    `8 concurrent clients: ${(total / MiB / seconds).toFixed(0)} MiB/s aggregate (${seconds.toFixed(1)} s), mirror peak RSS ${peak.toFixed(0)} MiB (${idleMiB.toFixed(0)} MiB before them, after serving Python)`,
  );
  mirror.kill('SIGTERM');
} finally {
  await hub.close();
  fs.rmSync(work, { recursive: true, force: true });
}
