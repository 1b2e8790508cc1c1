/**
 * Download benchmark: a 1 GiB LFS file from fakehub on loopback, verified, against curl fetching
 * the same URL to the same disk in the same run; peak RSS of the downloading process; and the bytes
 * fetched again when resuming after a kill -9 at 50%.
 *
 *   npm run build && npx tsx bench/download.ts [--mib 1024] [--runs 3]
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeHub } from '../test/fakehub/server';
import { bigRepo } from '../test/fakehub/fixtures';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '1024' }, runs: { type: 'string', default: '3' } } });
const size = Number(values.mib) * 1024 * 1024;
const runs = Number(values.runs);
const CLI = new URL('../out/main/cli.js', import.meta.url).pathname;
if (!fs.existsSync(CLI)) throw new Error('Build first: npm run build');

const repo = bigRepo(size);
const file = repo.commits[0]?.files.get('big.gguf');
if (!file) throw new Error('no file');
const hub = await startFakeHub({ repos: [repo] });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-bench-'));
const env = { ...process.env, HF_ENDPOINT: hub.url, HOME: work, HUBCAP_DATA_DIR: path.join(work, 'data'), HUBCAP_BENCH: '1' };

function hubcap(cache: string, extra: string[] = [], extraEnv: Record<string, string> = {}): Promise<{ seconds: number; rss: number; code: number | null }> {
  const t0 = process.hrtime.bigint();
  const p = spawn(process.execPath, [CLI, 'download', 'acme/big', '--cache-dir', cache, '--json', ...extra], {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) =>
    p.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const last = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { maxRssBytes?: number };
      resolve({ seconds, rss: last.maxRssBytes ?? 0, code });
    }),
  );
}

function curl(target: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const p = spawn('curl', ['-sSfL', '-o', target, `${hub.url}/acme/big/resolve/main/big.gguf`], { stdio: 'inherit' });
  return new Promise((resolve, reject) =>
    p.on('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e9) : reject(new Error(`curl exited ${code}`)))),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const mbps = (s: number) => size / s / 1e6;

const curlTimes: number[] = [];
const hubTimes: number[] = [];
const parTimes: number[] = [];
const workerTimes: number[] = [];
const rss: number[] = [];
const workerRss: number[] = [];
for (let i = 0; i < runs; i++) {
  const target = path.join(work, `curl-${i}.bin`);
  curlTimes.push(await curl(target));
  fs.rmSync(target);
  const cache = path.join(work, `cache-${i}`);
  // Inline hashing measured explicitly, whatever the default on this machine.
  const r = await hubcap(cache, [], { HUBCAP_HASH_THREAD: 'inline' });
  if (r.code !== 0) throw new Error('hubcap download failed');
  hubTimes.push(r.seconds);
  rss.push(r.rss);
  fs.rmSync(cache, { recursive: true, force: true });
  const wcache = path.join(work, `wcache-${i}`);
  const w = await hubcap(wcache, [], { HUBCAP_HASH_THREAD: 'worker' });
  workerTimes.push(w.seconds);
  workerRss.push(w.rss);
  fs.rmSync(wcache, { recursive: true, force: true });
  const pcache = path.join(work, `pcache-${i}`);
  const p = await hubcap(pcache, ['--connections', '4']);
  parTimes.push(p.seconds);
  fs.rmSync(pcache, { recursive: true, force: true });
}

// Resume: kill -9 at 50%, then finish; count what the CDN sent again beyond the missing half.
const rcache = path.join(work, 'resume');
const blobsDir = path.join(rcache, 'models--acme--big', 'blobs');
// Each writer owns `<etag>.<8 hex>.incomplete`: find ours by its etag.
const partialSize = () => {
  const name = fs.existsSync(blobsDir) ? fs.readdirSync(blobsDir).find((n) => n.startsWith(`${file.sha256}.`) && n.endsWith('.incomplete')) : undefined;
  return name ? fs.statSync(path.join(blobsDir, name)).size : 0;
};
hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: Math.max(64 << 20, size / 4) });
const child = spawn(process.execPath, [CLI, 'download', 'acme/big', '--cache-dir', rcache, '--quiet'], { env, stdio: 'ignore' });
while (partialSize() < size / 2) await new Promise((r) => setTimeout(r, 5));
child.kill('SIGKILL');
await new Promise((r) => child.once('exit', r));
hub.faults.clear();
const kept = partialSize();
const logStart = hub.log.length;
const again = await hubcap(rcache);
if (again.code !== 0) throw new Error('resume failed');
const served = hub.log
  .slice(logStart)
  .filter((r) => r.origin === 'cdn')
  .reduce((a, r) => a + (size - Number(/bytes=(\d+)-/.exec(String(r.headers.range ?? 'bytes=0-'))?.[1] ?? 0)), 0);
const refetched = served - (size - kept);

await hub.close();
fs.rmSync(work, { recursive: true, force: true });

const curlMed = median(curlTimes);
const hubMed = median(hubTimes);
const report = {
  fileMiB: size / (1 << 20),
  runs,
  curlMBps: +mbps(curlMed).toFixed(1),
  hubcapMBps: +mbps(hubMed).toFixed(1),
  hubcapVsCurl: +(curlMed / hubMed).toFixed(3),
  hubcapParallel4MBps: +mbps(median(parTimes)).toFixed(1),
  hubcapWorkerHashMBps: +mbps(median(workerTimes)).toFixed(1),
  hubcapWorkerHashVsCurl: +(curlMed / median(workerTimes)).toFixed(3),
  peakRssMB: +(Math.max(...rss) / 1e6).toFixed(1),
  workerHashPeakRssMB: +(Math.max(...workerRss) / 1e6).toFixed(1),
  cores: os.availableParallelism(),
  resume: { keptAtKill: kept, refetchedBytes: refetched, refetchedPctOfFile: +((refetched / size) * 100).toFixed(4) },
  node: process.version,
  curl: spawnSync('curl', ['--version']).stdout.toString().split(' ')[1],
};
console.log(JSON.stringify(report, null, 2));
console.log(
  `hubcap/curl throughput ratio: ${report.hubcapVsCurl} (target >= 0.90); peak RSS ${report.peakRssMB} MB (target < 150); resume re-fetched ${report.resume.refetchedPctOfFile}% (target < 1%)`,
);
