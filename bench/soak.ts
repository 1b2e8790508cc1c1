/**
 * Cache soak: rounds of real faults against one shared cache, then a check that nothing corrupt
 * ever landed. Each round starts 1–3 writers of the same repo at once (`hubcap download`
 * processes, and a Python writer with the real filelock where one is installed), kills a random
 * subset with SIGKILL at a random moment, and sometimes fills the disk (the cache lives on a small
 * tmpfs when mounting is allowed) for a moment. After every round every blob in the cache is
 * rehashed against its name. At the end one clean download must complete the repo.
 *
 *   npm run build && npx tsx bench/soak.ts [--rounds 20] [--seed 1]
 *
 * Prints rounds run, corrupt blobs (must be 0), and how many bytes the download host sent beyond
 * the repo's size (what kills and faults cost: in-flight bytes lost by a kill are fetched again).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeHub } from '../test/fakehub/server';
import { seededContent } from '../test/fakehub/content';
import { buildRepo } from '../test/fakehub/model';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, seed: { type: 'string', default: '1' } } });
const rounds = Number(values.rounds);
let seed = Number(values.seed);
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const CLI = new URL('../out/main/cli.js', import.meta.url).pathname;
const PY = new URL('../test/helpers/python_writer.py', import.meta.url).pathname;
if (!fs.existsSync(CLI)) throw new Error('Build first: npm run build');
const MiB = 1 << 20;

const files: Record<string, ReturnType<typeof seededContent>> = {};
for (let i = 0; i < 4; i++) files[`part-${i}.gguf`] = seededContent(`soak-${i}`, 12 * MiB + i * 4099);
const repo = buildRepo({ id: 'soak/model', commits: [{ files: Object.fromEntries(Object.entries(files).map(([p, c]) => [p, { content: c, lfs: true }])) }] });
const commit = repo.commits[0];
if (!commit) throw new Error('no commit');
const repoBytes = [...commit.files.values()].reduce((a, f) => a + f.content.size, 0);

const hub = await startFakeHub({ repos: [repo] });
// Slow enough per connection that kills land mid-file (a file takes ~2 s).
hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 6 * MiB, times: Infinity });

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-soak-'));
const mount = path.join(work, 'disk');
fs.mkdirSync(mount);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=80m', 'tmpfs', mount]).status === 0;
const cache = path.join(mount, 'hub');
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import filelock']).status === 0) ?? null;
const env = { ...process.env, HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache, HOME: work, HUBCAP_DATA_DIR: path.join(work, 'data') };
console.log(
  `soak: ${rounds} rounds, repo ${(repoBytes / MiB).toFixed(1)} MiB in ${commit.files.size} files, cache on ${mounted ? 'an 80 MiB tmpfs' : 'the plain disk (mount refused: no disk-full faults)'}, ${python ? `Python writer ${python}` : 'no Python with filelock (no Python writers)'}`,
);

function writer(kind: 'hubcap' | 'python'): ChildProcess {
  if (kind === 'hubcap') return spawn(process.execPath, [CLI, 'download', 'soak/model', '--quiet'], { env, stdio: 'ignore' });
  const f = commit?.files.get(`part-${Math.floor(rand() * 4)}.gguf`);
  const mode = rand() < 0.5 ? 'new' : 'old';
  return spawn(python as string, [PY, mode, cache, 'models--soak--model', f?.sha256 as string, `${hub.cdnUrl}/lfs/${f?.sha256}`], { stdio: 'ignore' });
}

function hashOf(file: string, etag: string): string {
  const h = createHash(etag.length === 64 ? 'sha256' : 'sha1');
  if (etag.length === 40) h.update(`blob ${fs.statSync(file).size}\0`);
  h.update(fs.readFileSync(file));
  return h.digest('hex');
}

/** Every blob under its final name must hash to that name. */
function corruptBlobs(): string[] {
  const blobs = path.join(cache, 'models--soak--model', 'blobs');
  if (!fs.existsSync(blobs)) return [];
  return fs.readdirSync(blobs).filter((n) => /^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(n) && hashOf(path.join(blobs, n), n) !== n);
}

let corrupt = 0;
let kills = 0;
let fills = 0;
let deletedBytes = 0;
for (let round = 1; round <= rounds; round++) {
  // Keep every round busy: blobs finished earlier are deleted again (as a user or `cache rm` would).
  const blobsDir = path.join(cache, 'models--soak--model', 'blobs');
  for (const name of fs.existsSync(blobsDir) ? fs.readdirSync(blobsDir) : []) {
    if (/^[0-9a-f]{64}$/.test(name) && rand() < 0.7) {
      deletedBytes += fs.statSync(path.join(blobsDir, name)).size;
      fs.rmSync(path.join(blobsDir, name));
    }
  }
  const kinds: ('hubcap' | 'python')[] = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => (python && rand() < 0.35 ? 'python' : 'hubcap'));
  const procs = kinds.map(writer);
  const exits = procs.map((p) => new Promise<number | null>((r) => p.once('exit', (code) => r(code))));
  let filler: string | null = null;
  if (mounted && rand() < 0.3) {
    await new Promise((r) => setTimeout(r, 200 + rand() * 800));
    filler = path.join(mount, `filler-${round}`);
    try {
      const { bavail, bsize } = fs.statfsSync(mount);
      fs.writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 256 * 1024)));
    } catch {
      // full already
    }
    fills++;
  }
  await new Promise((r) => setTimeout(r, 300 + rand() * 1500));
  for (const p of procs) {
    if (rand() < 0.6 && p.exitCode === null) {
      p.kill('SIGKILL');
      kills++;
    }
  }
  if (filler) fs.rmSync(filler, { force: true });
  await Promise.all(exits);
  const bad = corruptBlobs();
  corrupt += bad.length;
  console.log(`round ${String(round).padStart(2)}: ${kinds.join('+')}${filler ? ' +disk full' : ''} → ${bad.length ? `CORRUPT ${bad.join(', ')}` : 'ok'}`);
}

// One clean run must finish the repo from whatever the rounds left (async: the fake Hub runs here).
const final = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
  const p = spawn(process.execPath, [CLI, 'download', 'soak/model', '--json'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  p.once('exit', (status) => resolve({ status, stderr }));
});
const finished = final.status === 0;
corrupt += corruptBlobs().length;
const sent = hub.log.filter((l) => l.origin === 'cdn' && l.method === 'GET').reduce((a, l) => a + (l.bytes ?? 0), 0);
const blobs = fs.readdirSync(path.join(cache, 'models--soak--model', 'blobs')).filter((n) => /^[0-9a-f]{64}$/.test(n)).length;
console.log('');
console.log(`rounds run: ${rounds}; kills: ${kills}; disk-full faults: ${fills}`);
console.log(`corrupt blobs: ${corrupt} (must be 0)`);
console.log(`final clean download: ${finished ? 'completed' : `FAILED: ${final.stderr.trim()}`}; blobs present: ${blobs}/${commit.files.size}`);
const needed = repoBytes + deletedBytes;
console.log(
  `download host sent ${(sent / MiB).toFixed(1)} MiB where ${(needed / MiB).toFixed(1)} MiB had to come (the repo, plus blobs deleted between rounds): ${(((sent - needed) / needed) * 100).toFixed(1)} % refetched (bytes in flight when a writer was killed, Python's restarts from zero)`,
);
await hub.close();
if (mounted) spawnSync('umount', ['-l', mount]);
fs.rmSync(work, { recursive: true, force: true });
process.exit(corrupt === 0 && finished ? 0 : 1);
