/**
 * Xet download benchmark (#25) on the fake CAS, every client in the same run, alternating, to the
 * same disk: Hubcap's Xet road, Hubcap's classic road (HF_HUB_DISABLE_XET=1, through the fake's
 * whole-file bridge) and Python's huggingface_hub 2.0 with hf_xet (the repo's .venv-hf2), each
 * downloading the same Xet file, on loopback and with a per-connection cap (a far CDN). Hubcap
 * verifies sha256 and the Xet hash; hf_xet verifies nothing. Also Hubcap's peak RSS, and the xorb
 * bytes a second repo holding the same file costs, and each client's CPU time (user + system, by
 * GNU time where it is here) beside its wall time.
 *
 *   npm run build && npx tsx bench/xet.ts [--mib 64] [--runs 3] [--cap 8]   (cap in MB/s per connection)
 *   [--xorb-mib N]   (xorbs of at most N MiB: a file of many small ranges, as deduplicated files are)
 *   [--weights]   (bf16-like weights stored as the Hub stores them, byte-grouped + LZ4, not raw noise)
 *   [--repeat]   (the file's second half repeats its first: what each client fetches of a file that
 *                 repeats itself further on than one 256 MiB plan window)
 *   [--cli A/out/main/cli.js --baseline-cli B/out/main/cli.js]   (two frozen builds side by side)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildRepo } from '../test/fakehub/model';
import { startFakeHub } from '../test/fakehub/server';
import type { Content } from '../test/fakehub/content';
import { noiseContent, weightsContent } from '../test/fakehub/xet/fixtures';
import { hfPython } from '../test/helpers/hf-python';
import { clientEnv, clientEnvNote } from './client-env';

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
    cap: { type: 'string', default: '8' },
    'xorb-mib': { type: 'string' },
    weights: { type: 'boolean', default: false },
    repeat: { type: 'boolean', default: false },
    // Frozen builds, side by side (old against new): --cli this one, --baseline-cli the other's Xet road.
    cli: { type: 'string' },
    'baseline-cli': { type: 'string' },
  },
});
const size = Number(values.mib) * 1024 * 1024;
const runs = Number(values.runs);
const CLI = values.cli ?? new URL('../out/main/cli.js', import.meta.url).pathname;
const BASELINE_CLI = values['baseline-cli'];
if (!fs.existsSync(CLI)) throw new Error('Build first: npm run build');
// huggingface_hub 2.0 + hf_xet, found as the tests find it (it says how to install it when missing).
const PYTHON = hfPython();

const base = values.weights ? weightsContent('xet-bench', size) : noiseContent('xet-bench', size);
const half = Math.floor(size / 2);
// --repeat: bytes [half, size) are bytes [0, size - half) again.
const content: Content = values.repeat
  ? {
      size,
      read: (start, end) =>
        Buffer.concat([
          start < half ? base.read(start, Math.min(end, half)) : Buffer.alloc(0),
          end > half ? base.read(Math.max(start, half) - half, end - half) : Buffer.alloc(0),
        ]),
    }
  : base;
const file = 'model.safetensors';
const repos = ['acme/xet-bench', 'other/xet-bench-copy'].map((id) => buildRepo({ id, commits: [{ files: { [file]: content } }] }));
const t0 = Date.now();
const xorbBytes = values['xorb-mib'] ? Number(values['xorb-mib']) * 1024 * 1024 : undefined;
const hub = await startFakeHub({
  repos,
  storageHost: '127.0.0.2',
  xet: { compression: values.weights ? 'auto' : 'none', ...(xorbBytes ? { maxXorbBytes: xorbBytes } : {}) },
});
process.stdout.write(`fake CAS ready (${((Date.now() - t0) / 1000).toFixed(1)} s to chunk and hash ${values.mib} MiB)\n${clientEnvNote()}\n`);
const cas = hub.xet?.cas;
if (!cas) throw new Error('no CAS');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-xet-bench-'));
const env: Record<string, string> = {
  ...clientEnv(),
  HF_ENDPOINT: hub.url,
  HOME: work,
  HUBCAP_DATA_DIR: path.join(work, 'data'),
  HUBCAP_BENCH: '1',
  HF_HUB_DISABLE_TELEMETRY: '1',
};

// CPU time (user + system) of each client, where GNU time is here: on a busy two-core machine the
// wall time of one client moved by 15-30 % between sets, its CPU time far less (docs/performance.md).
const TIME_BIN = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function timed(cmd: string, args: string[], extra: Record<string, string>): Promise<{ seconds: number; cpu: number | null; out: string }> {
  const cpuFile = path.join(work, 'cpu.txt');
  const [bin, argv] = TIME_BIN ? [TIME_BIN, ['-f', '%U %S', '-o', cpuFile, cmd, ...args]] : [cmd, args];
  const start = process.hrtime.bigint();
  const p = spawn(bin, argv, { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    p.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${err.slice(-800)}`));
      const times = TIME_BIN ? fs.readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number) : [];
      resolve({ seconds, cpu: times.length === 2 && times.every(Number.isFinite) ? (times[0] as number) + (times[1] as number) : null, out });
    }),
  );
}

type Client = 'hubcap-xet' | 'hubcap-classic' | 'python-hf_xet' | 'baseline-xet';

async function run(
  client: Client,
  cache: string,
  repo = 'acme/xet-bench',
  extra: Record<string, string> = {},
): Promise<{ seconds: number; cpu: number | null; rssMB?: number }> {
  if (client === 'python-hf_xet') {
    const code = 'import sys\nfrom huggingface_hub import hf_hub_download\nhf_hub_download(sys.argv[1], sys.argv[2], cache_dir=sys.argv[3])';
    return timed(PYTHON, ['-c', code, repo, file, cache], { HF_HOME: path.join(cache, 'hf-home'), ...extra });
  }
  const r = await timed(
    process.execPath,
    [client === 'baseline-xet' ? (BASELINE_CLI as string) : CLI, 'download', repo, file, '--cache-dir', cache, '--json'],
    { ...(client === 'hubcap-classic' ? { HF_HUB_DISABLE_XET: '1' } : {}), ...extra },
  );
  const last = JSON.parse(r.out.trim().split('\n').pop() ?? '{}') as { maxRssBytes?: number };
  return { seconds: r.seconds, cpu: r.cpu, rssMB: +((last.maxRssBytes ?? 0) / 1e6).toFixed(1) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const clients: Client[] = ['hubcap-xet', 'python-hf_xet', 'hubcap-classic', ...(BASELINE_CLI ? (['baseline-xet'] as Client[]) : [])];

for (const [name, shape] of [
  ['loopback', {}],
  [`${values.cap} MB/s per connection`, { perConnection: Number(values.cap) * 1e6 }],
] as const) {
  hub.link.set(shape);
  const times = new Map<Client, number[]>(clients.map((c) => [c, []]));
  const cpus = new Map<Client, number[]>(clients.map((c) => [c, []]));
  let rss = 0;
  for (let i = 0; i < runs; i++)
    for (const c of i % 2 ? [...clients].reverse() : clients) {
      const cache = fs.mkdtempSync(path.join(work, `${c}-`));
      const r = await run(c, cache);
      times.get(c)?.push(r.seconds);
      if (r.cpu !== null) cpus.get(c)?.push(r.cpu);
      if (r.rssMB) rss = Math.max(rss, c === 'hubcap-xet' ? r.rssMB : rss);
      fs.rmSync(cache, { recursive: true, force: true });
    }
  const med = (c: Client) => median(times.get(c) ?? []);
  const mbps = (c: Client) => (size / 1e6 / med(c)).toFixed(0);
  process.stdout.write(`\n${name}, ${values.mib} MiB, median of ${runs} (whole process):\n`);
  const cpu = (c: Client) => ((cpus.get(c) ?? []).length ? `, CPU ${median(cpus.get(c) ?? []).toFixed(2)} s` : '');
  for (const c of clients)
    process.stdout.write(`  ${c.padEnd(15)} ${med(c).toFixed(2)} s  ${mbps(c)} MB/s  [${(times.get(c) ?? []).map((t) => t.toFixed(2)).join(', ')}]${cpu(c)}\n`);
  process.stdout.write(`  hubcap-xet / python-hf_xet speed: ${(med('python-hf_xet') / med('hubcap-xet')).toFixed(2)}x; hubcap-xet peak RSS ${rss} MB\n`);
  if (BASELINE_CLI) process.stdout.write(`  hubcap-xet / baseline build's Xet speed: ${(med('baseline-xet') / med('hubcap-xet')).toFixed(2)}x\n`);
}

// A second repo holding the same file, into the same cache: what travels again.
hub.link.set({});
const cache = fs.mkdtempSync(path.join(work, 'dedup-'));
await run('hubcap-xet', cache);
// Each answer's byte count lands when its connection closes: wait for all of them.
const settled = async () => {
  while (cas.log.some((q) => q.url.startsWith('/xorbs/') && q.bytes === undefined && q.status === 206)) await new Promise((r) => setTimeout(r, 50));
  return cas.log.filter((q) => q.url.startsWith('/xorbs/')).reduce((n, q) => n + (q.bytes ?? 0), 0);
};
const before = await settled();
await run('hubcap-xet', cache, 'other/xet-bench-copy');
const after = await settled();
process.stdout.write(`\nsecond repo, same file, same cache: ${after - before} xorb bytes fetched (target 0)\n`);
// What one download of the file costs in xorb bytes, each client into an empty cache with its own
// data folder (Hubcap's shared one knows the copies above, and would take the file from them).
for (const c of ['hubcap-xet', 'python-hf_xet', ...(BASELINE_CLI ? ['baseline-xet'] : [])] as Client[]) {
  const fresh = fs.mkdtempSync(path.join(work, 'bytes-'));
  const from = await settled();
  await run(c, fresh, 'acme/xet-bench', { HUBCAP_DATA_DIR: path.join(fresh, 'data') });
  process.stdout.write(`${c}: ${(await settled()) - from} xorb bytes for one download of the ${size}-byte file\n`);
}
await hub.close();
fs.rmSync(work, { recursive: true, force: true });
