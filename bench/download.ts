/**
 * Download benchmark against fakehub shaped like real links (test/fakehub/link.ts), every client
 * in the same run, alternating, to the same disk:
 *   (a) no shaping (loopback);
 *   (b) a far CDN: 20 MB/s per connection, 200 MB/s for the whole line, 80 ms first-byte latency;
 *   (c) the same with random single-connection stalls (bytes stop, the socket stays open);
 *   and a 4-file snapshot over (b), so the global connection budget is exercised.
 * Clients: curl, `aria2c -x 8 -s 8` (Debian's aria2), Python's `hf_hub_download` when a Python with
 * huggingface_hub is found (PYTHONPATH honoured; the column is skipped with the reason otherwise),
 * `hubcap download` in Auto and with one connection. Also the bytes fetched again when resuming
 * after a `kill -9` at 50 % over (b), and each hubcap run's peak RSS.
 *
 * Middle sizes (#25 Figures), `--cases middle,snapshot20,loop512`: 16, 96 and 512 MiB files and a
 * 20-file snapshot over 8 MB/s per connection against `aria2c -x8 -s8 -k1M` given the same URL
 * list, and 512 MiB on loopback against Python 2.0 (.venv-hf2) and `curl | tee | openssl dgst
 * -sha256` (the floor for a client that verifies), alternating. The middle sizes also run
 * bench/node-floor.mjs, the least any Node process does for the same download (it verifies
 * nothing): how much of Hubcap's time is Node's own.
 *
 *   npm run build && npx tsx bench/download.ts [--mib 1024] [--runs 1] [--cases a,b,c,snapshot,resume]
 *   npx tsx bench/download.ts --runs 3 --cases middle,snapshot20,loop512
 *   npx tsx bench/download.ts --runs 3 --cases middle --cli /tmp/new/out/main/cli.js --baseline-cli /tmp/old/out/main/cli.js
 * (frozen copies of two builds, side by side: other work rebuilding out/ mid-run cannot mix them).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildRepo } from '../test/fakehub/model';
import { seededContent, type Content } from '../test/fakehub/content';
import type { LinkShape } from '../test/fakehub/link';
import { startFakeHub } from '../test/fakehub/server';
import { clientEnv, clientEnvNote } from './client-env';

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '1024' },
    runs: { type: 'string', default: '1' },
    cases: { type: 'string', default: 'a,b,c,snapshot,resume' },
    // Another build to run side by side (old against new): a frozen copy of out/main/cli.js.
    'baseline-cli': { type: 'string' },
    cli: { type: 'string' },
  },
});
const size = Number(values.mib) * 1024 * 1024;
const runs = Number(values.runs);
const cases = new Set((values.cases as string).split(','));
const CLI = values.cli ?? new URL('../out/main/cli.js', import.meta.url).pathname;
if (!fs.existsSync(CLI)) throw new Error('Build first: npm run build');
const BASELINE_CLI = values['baseline-cli'];
/** With --baseline-cli, that build runs beside this one in the middle-size cases. */
const baseline = (): Client[] => (BASELINE_CLI ? ['hubcapBase'] : []);

const snapshotFiles = Object.fromEntries([0, 1, 2, 3].map((i) => [`part-${i}.gguf`, seededContent(`part-${i}`, Math.floor(size / 4))]));
const MIDDLE = [16, 96, 512];
// A snapshot as repos are made: configs and a tokenizer, then sixteen 12 MiB shards (LoRAs, small shards).
const snap20: Record<string, Content> = Object.fromEntries([
  ...['config.json', 'generation_config.json', 'special_tokens_map.json', 'tokenizer_config.json'].map((f, i) => [f, seededContent(f, 2000 + i * 500)]),
  ...Array.from({ length: 16 }, (_, i) => [`shard-${i}.safetensors`, seededContent(`shard-${i}`, 12 << 20)]),
]);
const repos = [
  buildRepo({ id: 'acme/big', commits: [{ files: { 'big.gguf': seededContent('big', size) } }] }),
  buildRepo({ id: 'acme/snapshot', commits: [{ files: snapshotFiles }] }),
  buildRepo({ id: 'acme/middle', commits: [{ files: Object.fromEntries(MIDDLE.map((m) => [`mid-${m}.bin`, seededContent(`mid-${m}`, m << 20)])) }] }),
  buildRepo({ id: 'acme/snap20', commits: [{ files: snap20 }] }),
];
// Another loopback address for the CDN: Python ≥ 2.0 treats a redirect to the same host name on another port as the Hub.
const hub = await startFakeHub({ repos, storageHost: '127.0.0.2' });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-bench-'));
const env: Record<string, string> = {
  ...clientEnv(),
  HF_ENDPOINT: hub.url,
  HOME: work,
  HUBCAP_DATA_DIR: path.join(work, 'data'),
  HUBCAP_BENCH: '1',
  HF_HUB_DISABLE_XET: '1',
  HF_HUB_DISABLE_TELEMETRY: '1',
};
console.log(clientEnvNote());
const URL_OF = (repo: string, file: string) => `${hub.url}/${repo}/resolve/main/${file}`;

function timed(cmd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ seconds: number; out: string; code: number | null }> {
  const t0 = process.hrtime.bigint();
  const p = spawn(cmd, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) =>
    p.on('exit', (code) => {
      if (code !== 0) process.stderr.write(`${cmd} exited ${code}: ${err.slice(-500)}\n`);
      resolve({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, out, code });
    }),
  );
}

const python = (() => {
  const probe = spawnSync('python3', ['-c', 'import huggingface_hub; print(huggingface_hub.__version__)'], { env });
  return probe.status === 0 ? { version: probe.stdout.toString().trim() } : { skipped: 'no python3 with huggingface_hub (set PYTHONPATH to one)' };
})();

type Client = 'curl' | 'aria2c' | 'python' | 'hubcapAuto' | 'hubcap1' | 'aria2k' | 'curlSha' | 'python2' | 'hubcapStart' | 'hubcapBase' | 'nodeFloor';
const PYTHON2 = new URL('../.venv-hf2/bin/python', import.meta.url).pathname;
interface Result {
  seconds: number;
  rssMB?: number;
  maxConnections?: number;
}

async function runClient(client: Client, repo: string, files: string[]): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(work, `${client}-`));
  hub.link.maxOpen = 0;
  try {
    if (client === 'curl') {
      // One process per file, in parallel for a snapshot (what a script would do).
      const all = await Promise.all(files.map((f) => timed('curl', ['-sSfL', '-o', path.join(dir, f), URL_OF(repo, f)])));
      return { seconds: Math.max(...all.map((r) => r.seconds)) };
    }
    if (client === 'aria2c') {
      const list = path.join(dir, 'list.txt');
      fs.writeFileSync(list, files.map((f) => `${URL_OF(repo, f)}\n  out=${f}\n`).join(''));
      const r = await timed('aria2c', [
        '-x',
        '8',
        '-s',
        '8',
        '-j',
        '4',
        '--file-allocation=none',
        '--console-log-level=warn',
        '--summary-interval=0',
        '-d',
        dir,
        '-i',
        list,
      ]);
      return { seconds: r.seconds, maxConnections: hub.link.maxOpen };
    }
    if (client === 'aria2k') {
      // The baseline: 8 connections, 8 splits, 1 MiB pieces, the same URL list (5 files at once, its default).
      const list = path.join(dir, 'list.txt');
      fs.writeFileSync(list, files.map((f) => `${URL_OF(repo, f)}\n  out=${f}\n`).join(''));
      const r = await timed('aria2c', [
        '-x8',
        '-s8',
        '-k1M',
        '--file-allocation=none',
        '--console-log-level=warn',
        '--summary-interval=0',
        '-d',
        dir,
        '-i',
        list,
      ]);
      return { seconds: r.seconds, maxConnections: hub.link.maxOpen };
    }
    if (client === 'hubcapStart') {
      // The CLI starting and exiting, nothing else: how much of a small download's time is the process.
      const r = await timed(process.execPath, [CLI, '--version']);
      return { seconds: r.seconds };
    }
    if (client === 'nodeFloor') {
      // The least any Node process does for the same download (node-floor.mjs): what Node itself costs.
      const f = files[0] as string;
      const r = await timed(process.execPath, [new URL('./node-floor.mjs', import.meta.url).pathname, URL_OF(repo, f), path.join(dir, f)]);
      if (r.code !== 0) throw new Error('node-floor failed');
      return { seconds: r.seconds, maxConnections: hub.link.maxOpen };
    }
    if (client === 'curlSha') {
      const f = files[0] as string;
      const r = await timed('sh', ['-c', `curl -sSfL "$1" | tee "$2" | openssl dgst -sha256 >/dev/null`, 'sh', URL_OF(repo, f), path.join(dir, f)]);
      return { seconds: r.seconds };
    }
    if (client === 'python2') {
      const code = `import sys\nfrom huggingface_hub import hf_hub_download\nfor f in sys.argv[3:]:\n    hf_hub_download(sys.argv[1], f, cache_dir=sys.argv[2])`;
      const r = await timed(PYTHON2, ['-c', code, repo, path.join(dir, 'cache'), ...files]);
      return { seconds: r.seconds };
    }
    if (client === 'python') {
      const code = `import sys\nfrom huggingface_hub import hf_hub_download\nfor f in sys.argv[3:]:\n    hf_hub_download(sys.argv[1], f, cache_dir=sys.argv[2])`;
      const r = await timed('python3', ['-c', code, repo, path.join(dir, 'cache'), ...files]);
      return { seconds: r.seconds };
    }
    const r = await timed(process.execPath, [
      client === 'hubcapBase' ? (BASELINE_CLI as string) : CLI,
      'download',
      repo,
      ...files,
      '--cache-dir',
      path.join(dir, 'cache'),
      '--json',
      '--connections',
      client === 'hubcap1' ? '1' : 'auto',
    ]);
    if (r.code !== 0) throw new Error(`hubcap ${client} failed`);
    const last = JSON.parse(r.out.trim().split('\n').pop() ?? '{}') as { maxRssBytes?: number };
    return { seconds: r.seconds, rssMB: +((last.maxRssBytes ?? 0) / 1e6).toFixed(1), maxConnections: hub.link.maxOpen };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const FAR: LinkShape = { perConnection: 20e6, aggregate: 200e6, firstByteMs: 80 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
/** "; this build / baseline: 1.23x" when a baseline build ran beside this one. */
const vsBase = (r: Map<Client, number>) =>
  r.has('hubcapBase') ? `; this build / baseline build: ${((r.get('hubcapBase') ?? 0) / (r.get('hubcapAuto') ?? 1)).toFixed(3)}x` : '';

async function measure(name: string, shape: LinkShape, clients: Client[], repo: string, files: string[], bytes: number) {
  const times = new Map<Client, Result[]>();
  for (let i = 0; i < runs; i++) {
    // Alternating: every other run in the reverse order, so no client always follows the same one.
    for (const c of i % 2 ? [...clients].reverse() : clients) {
      // Each client starts with no dirty pages of the one before it being written back.
      spawnSync('sync');
      hub.link.set(shape);
      const r = await runClient(c, repo, files);
      times.set(c, [...(times.get(c) ?? []), r]);
    }
  }
  const row: Record<string, unknown> = {};
  for (const [c, rs] of times) {
    const s = median(rs.map((r) => r.seconds));
    row[c] = {
      seconds: +s.toFixed(2),
      MBps: +(bytes / s / 1e6).toFixed(1),
      ...(rs[0]?.rssMB !== undefined ? { peakRssMB: Math.max(...rs.map((r) => r.rssMB ?? 0)) } : {}),
      ...(rs[0]?.maxConnections !== undefined ? { maxConnections: Math.max(...rs.map((r) => r.maxConnections ?? 0)) } : {}),
      // Per run too: the sizing may open 16 in one run and 1 in the next (loopback under load).
      ...(rs[0]?.maxConnections !== undefined ? { connectionsPerRun: rs.map((r) => r.maxConnections ?? 0) } : {}),
      ...(rs.length > 1 ? { secondsPerRun: rs.map((r) => +r.seconds.toFixed(2)) } : {}),
    };
  }
  console.log(JSON.stringify({ case: name, shape, ...row }));
  return new Map([...times].map(([c, rs]) => [c, median(rs.map((r) => r.seconds))]));
}

const everyone: Client[] = ['curl', 'aria2c', ...(python.version ? (['python'] as Client[]) : []), 'hubcapAuto', 'hubcap1'];
if (!python.version) console.log(`python column skipped: ${python.skipped}`);
const summary: string[] = [];
const results: Record<string, Map<Client, number>> = {};
if (cases.has('a')) {
  const a = await measure('a: no shaping', {}, everyone, 'acme/big', ['big.gguf'], size);
  results.a = a;
  summary.push(`(a) Auto / one connection: ${((a.get('hubcap1') ?? 0) / (a.get('hubcapAuto') ?? 1)).toFixed(3)} (target >= 0.95)`);
}
if (cases.has('b')) {
  const b = await measure('b: 20 MB/s per connection, 200 MB/s line, 80 ms', FAR, everyone, 'acme/big', ['big.gguf'], size);
  results.b = b;
  summary.push(
    `(b) Auto / aria2c: ${((b.get('aria2c') ?? 0) / (b.get('hubcapAuto') ?? 1)).toFixed(3)} (target >= 0.9); Auto / one connection: ${((b.get('hubcap1') ?? 0) / (b.get('hubcapAuto') ?? 1)).toFixed(2)}x (target >= 4)`,
  );
}
if (cases.has('c')) {
  // Only Hubcap in (c): curl and aria2c wait on a stalled connection until their own timeouts.
  const c = await measure('c: (b) with stalls', { ...FAR, stallChance: 0.05, seed: 3 }, ['hubcapAuto'], 'acme/big', ['big.gguf'], size);
  if (results.b) summary.push(`(c) Auto (b) time / (c) time: ${((results.b.get('hubcapAuto') ?? 0) / (c.get('hubcapAuto') ?? 1)).toFixed(3)} (target >= 0.8)`);
}
if (cases.has('snapshot')) {
  const files = Object.keys(snapshotFiles);
  const s = await measure('snapshot: 4 files over (b)', FAR, ['aria2c', 'hubcapAuto', 'hubcap1'], 'acme/snapshot', files, size);
  summary.push(`snapshot Auto / aria2c -j4: ${((s.get('aria2c') ?? 0) / (s.get('hubcapAuto') ?? 1)).toFixed(3)}`);
}
const CAPPED: LinkShape = { perConnection: 8e6 };
if (cases.has('middle'))
  for (const m of MIDDLE) {
    const r = await measure(
      `middle: ${m} MiB, 8 MB/s per connection`,
      CAPPED,
      ['aria2k', 'hubcapAuto', 'hubcapStart', 'nodeFloor', ...baseline()],
      'acme/middle',
      [`mid-${m}.bin`],
      m << 20,
    );
    const auto = r.get('hubcapAuto') ?? 1;
    summary.push(
      `middle ${m} MiB: Auto / aria2c -x8 -s8 -k1M: ${((r.get('aria2k') ?? 0) / auto).toFixed(3)} (target >= 0.9); without the CLI's start (${(r.get('hubcapStart') ?? 0).toFixed(2)} s): ${((r.get('aria2k') ?? 0) / Math.max(0.01, auto - (r.get('hubcapStart') ?? 0))).toFixed(3)}; the Node floor (node-floor.mjs, verifies nothing) / aria2c: ${((r.get('aria2k') ?? 0) / (r.get('nodeFloor') ?? 1)).toFixed(3)}${vsBase(r)}`,
    );
  }
if (cases.has('snapshot20')) {
  const files = Object.keys(snap20);
  const bytes = Object.values(snap20).reduce((n, c) => n + c.size, 0);
  const r = await measure('snapshot20: 20 files, 8 MB/s per connection', CAPPED, ['aria2k', 'hubcapAuto', ...baseline()], 'acme/snap20', files, bytes);
  summary.push(
    `snapshot20: Auto / aria2c -x8 -s8 -k1M (same URL list): ${((r.get('aria2k') ?? 0) / (r.get('hubcapAuto') ?? 1)).toFixed(3)} (target >= 0.9)${vsBase(r)}`,
  );
}
if (cases.has('loop512')) {
  const r = await measure('loop512: 512 MiB, loopback', {}, ['curlSha', 'python2', 'hubcapAuto', ...baseline()], 'acme/middle', ['mid-512.bin'], 512 << 20);
  const h = r.get('hubcapAuto') ?? 1;
  summary.push(
    `loop512: Auto / Python 2.0: ${((r.get('python2') ?? 0) / h).toFixed(3)} (target >= 1.0); Auto / curl|tee|openssl: ${((r.get('curlSha') ?? 0) / h).toFixed(3)} (target >= 0.95)${vsBase(r)}`,
  );
}
if (cases.has('resume')) {
  // kill -9 at 50 % over (b), then finish; the CDN's body bytes over both runs against the file's size.
  hub.link.set(FAR);
  const cache = path.join(work, 'resume');
  const blobs = path.join(cache, 'models--acme--big', 'blobs');
  const recorded = () => {
    const rec = fs.existsSync(blobs) ? fs.readdirSync(blobs).find((n) => n.endsWith('.ranges.incomplete')) : undefined;
    try {
      return rec ? (JSON.parse(fs.readFileSync(path.join(blobs, rec), 'utf8')) as { done: [number, number][] }).done.reduce((n, [a, b]) => n + b - a, 0) : 0;
    } catch {
      return 0;
    }
  };
  const logStart = hub.log.length;
  const child = spawn(process.execPath, [CLI, 'download', 'acme/big', '--cache-dir', cache, '--quiet'], { env, stdio: 'ignore' });
  while (recorded() < size / 2) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  await new Promise((r) => setTimeout(r, 500));
  const kept = recorded();
  // Bytes already on disk the record did not cover (the save lag): exactly what a resume fetches twice.
  const partialName = fs.readdirSync(blobs).find((n) => n.endsWith('.incomplete') && !n.includes('.ranges.')) as string;
  const spans = (
    JSON.parse(fs.readFileSync(path.join(blobs, partialName.replace(/\.incomplete$/, '.ranges.incomplete')), 'utf8')) as { done: [number, number][] }
  ).done;
  const content = repos[0]?.commits[0]?.files.get('big.gguf')?.content;
  const fd = fs.openSync(path.join(blobs, partialName), 'r');
  const BLOCK = 64 << 10;
  const buf = Buffer.alloc(BLOCK);
  let onDiskUnrecorded = 0;
  for (let at = 0; at < size && content; at += BLOCK) {
    const end = Math.min(size, at + BLOCK);
    if (spans.some(([a, b]) => a <= at && end <= b)) continue;
    const n = fs.readSync(fd, buf, 0, end - at, at);
    if (n === end - at && buf.subarray(0, n).equals(content.read(at, end))) onDiskUnrecorded += n;
  }
  fs.closeSync(fd);
  const again = await timed(process.execPath, [CLI, 'download', 'acme/big', '--cache-dir', cache, '--json']);
  if (again.code !== 0) throw new Error('resume failed');
  const requests = hub.log.slice(logStart).filter((l) => l.origin === 'cdn' && l.method === 'GET');
  const sent = requests.reduce((n, l) => n + (l.bytes ?? 0), 0) - requests.length * 400;
  const pct = ((sent - size) / size) * 100;
  const refetchPct = (onDiskUnrecorded / size) * 100;
  console.log(
    JSON.stringify({
      case: 'resume after kill -9 at 50% over (b)',
      keptAtKill: kept,
      requests: requests.length,
      refetchedFromDiskPct: +refetchPct.toFixed(3),
      sentOverBothRunsBeyondFilePct: +pct.toFixed(3),
    }),
  );
  summary.push(
    `resume: ${refetchPct.toFixed(3)}% of the file was on disk but fetched again (target < 1%); the CDN sent ${pct.toFixed(3)}% more than the file over both runs (incl. bytes in flight at the kill)`,
  );
}
await hub.close();
fs.rmSync(work, { recursive: true, force: true });
console.log(
  JSON.stringify({
    fileMiB: size / (1 << 20),
    runs,
    cores: os.availableParallelism(),
    node: process.version,
    curl: spawnSync('curl', ['--version']).stdout.toString().split(' ')[1],
    aria2c: spawnSync('aria2c', ['--version']).stdout.toString().split('\n')[0],
    python: python.version ?? null,
  }),
);
for (const line of summary) console.log(line);
