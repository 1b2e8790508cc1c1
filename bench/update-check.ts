/**
 * Update check benchmark (#26.1): 200 cached repos against fakehub on loopback, 20 of whose main
 * branches moved (each of those costs a commit-list request too). Hubcap's check with its pacing on
 * (CHECK_PACE: 6 in flight, 5 ms between starts, 429-aware) against huggingface_hub 2.0's
 * `HfApi.list_repo_refs` over the same repos in a loop (timed inside Python, without its start-up),
 * alternating rounds. Target: 200 repos < 10 s.
 *
 *   npx tsx bench/update-check.ts [--repos N] [--rounds R]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CacheIndex } from '../src-main/cache/index';
import { HubHttp } from '../src-main/hub/http';
import { CHECK_PACE } from '../src-main/updates/pacer';
import { UpdatesService } from '../src-main/updates/service';
import { catalogue } from '../test/fakehub/fixtures';
import { startFakeHub } from '../test/fakehub/server';
import { hfPython } from '../test/helpers/hf-python';

const { values } = parseArgs({ options: { repos: { type: 'string' }, rounds: { type: 'string' } } });
const N = Number(values.repos ?? 200);
const ROUNDS = Number(values.rounds ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const repos = catalogue(N);
const hub = await startFakeHub({ repos });
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-bench-updates-'));
const cache = path.join(root, 'hub');
// A cache holding each repo's README at main, as a download would leave it.
for (const r of repos) {
  const commit = r.commits.at(-1);
  const file = commit?.files.get('README.md');
  if (!commit || !file) continue;
  const dir = path.join(cache, `models--${r.id.replace('/', '--')}`);
  fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'refs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'snapshots', commit.sha), { recursive: true });
  fs.writeFileSync(path.join(dir, 'blobs', file.oid), file.content.read(0, file.content.size));
  fs.symlinkSync(`../../blobs/${file.oid}`, path.join(dir, 'snapshots', commit.sha, 'README.md'));
  fs.writeFileSync(path.join(dir, 'refs', 'main'), commit.sha);
}
for (const r of repos.slice(0, Math.ceil(N / 10))) hub.push(r.id, { files: { 'README.md': `# moved ${r.id}\n` } });

async function hubcapRound(): Promise<{ ms: number; moved: number }> {
  const dataDir = fs.mkdtempSync(path.join(root, 'data-'));
  const http = (token: string | null) => new HubHttp({ endpoint: hub.url, token: () => token, offline: () => false });
  const index = new CacheIndex(() => cache);
  const svc = new UpdatesService({
    dataDir,
    offline: () => false,
    anonymous: http(null),
    signedIn: http(null),
    scan: (fresh) => index.scan(fresh),
    invalidateCache: () => index.invalidate(),
    download: () => {
      throw new Error('no downloads in this benchmark');
    },
    job: () => null,
    loadedModels: () => [],
    activeSnapshots: () => [],
    pace: CHECK_PACE,
  });
  const t0 = performance.now();
  const view = await svc.check();
  const ms = performance.now() - t0;
  const states = view.repos.flatMap((r) => r.branches.map((b) => b.state));
  if (states.length !== N || states.some((s) => s !== 'up-to-date' && s !== 'available'))
    throw new Error(`unexpected states: ${JSON.stringify(states.slice(0, 5))}`);
  return { ms, moved: states.filter((s) => s === 'available').length };
}

const PY = `
import sys, time
from huggingface_hub import HfApi
api = HfApi(endpoint=sys.argv[1])
ids = sys.argv[2:]
t0 = time.perf_counter()
for i in ids: api.list_repo_refs(i)
print((time.perf_counter() - t0) * 1000)
`;

// The repo's huggingface_hub 2.0, found as the tests find it.
const PYTHON = hfPython();

async function pythonRound(): Promise<number> {
  // Asynchronous: the fake Hub answering it lives in this process.
  const child = spawn(PYTHON, ['-c', PY, hub.url, ...repos.map((x) => x.id)], {
    env: { ...process.env, HF_HOME: path.join(root, 'py-home'), HF_HUB_DISABLE_TELEMETRY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`python failed: ${err.slice(-500)}`);
  return Number(out.trim().split('\n').pop());
}

const ours: number[] = [];
const theirs: number[] = [];
let moved = 0;
for (let i = 0; i < ROUNDS; i++) {
  const h = await hubcapRound();
  ours.push(h.ms);
  moved = h.moved;
  theirs.push(await pythonRound());
  console.log(`round ${i + 1}: Hubcap ${(h.ms / 1000).toFixed(2)} s (paced), Python list_repo_refs loop ${((theirs.at(-1) as number) / 1000).toFixed(2)} s`);
}
const m = median(ours);
const p = median(theirs);
console.log(`\n${N} cached repos, ${moved} moved (commit list read for each):`);
console.log(`  Hubcap check (pacing on):            ${(m / 1000).toFixed(2)} s median  (target < 10 s: ${m < 10_000 ? 'met' : 'MISSED'})`);
console.log(`  huggingface_hub 2.0 list_repo_refs:  ${(p / 1000).toFixed(2)} s median  (refs only, sequential)`);
console.log(`  ratio Hubcap / Python:               ${(m / p).toFixed(2)}×`);
await hub.close();
fs.rmSync(root, { recursive: true, force: true });
