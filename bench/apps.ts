/**
 * Other apps' models: time to scan and identify a synthetic 200-model tree (LM Studio and Ollama
 * layouts, real GGUF headers) with and without hashing; hashing throughput of FileHashes against
 * `sha256sum` on the same file in the same run (target ≥ 0.9×); and the bytes each adoption mode
 * writes (clone and link: ~0; copy: the file), measured as the disk's free space before and after.
 *
 *   npx tsx bench/apps.ts [--models 200] [--hash-mib 1024] [--dir FOLDER]   (FOLDER on btrfs/XFS to measure clones)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { FileHashes } from '../src-main/apps/hashes';
import { appLocations } from '../src-main/apps/locations';
import { scanApps } from '../src-main/apps/scan';
import { placeBlob } from '../src-main/apps/adopt';
import { cachedLlamaModel } from '../test/fixtures/llama-model';

const { values } = parseArgs({ options: { models: { type: 'string' }, 'hash-mib': { type: 'string' }, dir: { type: 'string' } } });
const MODELS = Number(values.models ?? 200);
const HASH_MIB = Number(values['hash-mib'] ?? 1024);
const work = fs.mkdtempSync(path.join(values.dir ?? os.tmpdir(), 'hubcap-bench-apps-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

// ---------- a synthetic tree: half LM Studio, half Ollama, each file a real (tiny) GGUF with its own bytes ----------
const base = fs.readFileSync(cachedLlamaModel());
const home = path.join(work, 'home');
for (let i = 0; i < MODELS; i++) {
  const bytes = Buffer.concat([base, Buffer.from(`model ${i}`)]);
  if (i % 2 === 0) {
    const f = path.join(home, '.lmstudio', 'models', `pub${i % 10}`, `repo-${i}-GGUF`, `repo-${i}-Q4_K_M.gguf`);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, bytes);
  } else {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const root = path.join(home, '.ollama', 'models');
    fs.mkdirSync(path.join(root, 'blobs'), { recursive: true });
    fs.writeFileSync(path.join(root, 'blobs', `sha256-${sha}`), bytes);
    const m = path.join(root, 'manifests', 'hf.co', `pub${i % 10}`, `repo-${i}-GGUF`, 'Q4_K_M');
    fs.mkdirSync(path.dirname(m), { recursive: true });
    fs.writeFileSync(m, JSON.stringify({ layers: [{ mediaType: 'application/vnd.ollama.image.model', digest: `sha256:${sha}`, size: bytes.length }] }));
  }
}
const locations = appLocations({ platform: 'linux', home, env: {} });
const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
};
const [scan, scanMs] = await timed(() => scanApps(locations));
const hashes = new FileHashes(path.join(work, 'data'));
const [, hashAllMs] = await timed(async () => {
  for (const m of scan.models) await hashes.sha256(m.path);
});
const [, rehashMs] = await timed(async () => {
  for (const m of scan.models) await hashes.sha256(m.path);
});

// ---------- hashing throughput against sha256sum ----------
const big = path.join(work, 'big.bin');
const fd = fs.openSync(big, 'w');
const chunk = Buffer.alloc(16 << 20);
for (let i = 0; i < chunk.length; i += 32) createHash('sha256').update(String(i)).digest().copy(chunk, i);
for (let i = 0; i < HASH_MIB / 16; i++) fs.writeSync(fd, chunk);
fs.closeSync(fd);
execFileSync('cat', [big], { stdio: 'ignore', maxBuffer: 1 << 30 }); // warm the page cache for both
const [coreSum, coreMs] = await timed(() => new FileHashes(path.join(work, 'data2')).sha256(big));
const [cliSum, cliMs] = await timed(async () => execFileSync('sha256sum', [big], { encoding: 'utf8' }).split(' ')[0]);
if (coreSum !== cliSum) throw new Error('hash mismatch');
const mbps = (ms: number) => ((HASH_MIB * 1.048576) / (ms / 1000)).toFixed(0);

// ---------- bytes written by adoption, per mode (same volume as the source) ----------
const source = scan.models[0]?.path as string;
const id = {
  path: source,
  repo: 'bench/repo',
  revision: 'main',
  commit: 'a'.repeat(40),
  file: path.basename(source),
  size: fs.statSync(source).size,
  sha256: await hashes.sha256(source),
};
const written: Record<string, string> = {};
for (const mode of ['clone', 'link', 'copy'] as const) {
  const cache = path.join(work, `cache-${mode}`);
  const free = () => fs.statfsSync(work).bavail * fs.statfsSync(work).bsize;
  execFileSync('sync');
  const before = free();
  try {
    const step = await placeBlob(cache, id, mode, false, path.dirname(id.path));
    execFileSync('sync');
    written[mode] = `${step.how}: ${step.bytes} bytes reported, ${Math.max(0, before - free())} bytes less free space (file ${id.size})`;
  } catch (error) {
    written[mode] = `not on this file system (${(error as Error).message.slice(0, 90)}…)`;
  }
}

console.log(`\n| measure | value |`);
console.log(`|---|---|`);
console.log(`| scan ${MODELS} models (listing + every GGUF header) | ${scanMs.toFixed(0)} ms (${scan.models.length} found) |`);
console.log(`| hash all ${scan.models.length} (${((scan.models.length * base.length) / 1e6).toFixed(0)} MB) | ${hashAllMs.toFixed(0)} ms |`);
console.log(`| second scan's hashes (remembered by path, size, mtime) | ${rehashMs.toFixed(0)} ms |`);
console.log(`| sha256 of ${HASH_MIB} MiB: Hubcap / sha256sum | ${mbps(coreMs)} / ${mbps(cliMs)} MB/s = **${(cliMs / coreMs).toFixed(2)}×** (target ≥ 0.9×) |`);
for (const [mode, text] of Object.entries(written)) console.log(`| adopt by ${mode} | ${text} |`);
