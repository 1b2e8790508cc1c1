/**
 * Reading the shared blob store must not slow the cache down (#24): `cache ls` of 500 repos ×
 * 3 revisions × 20 files, a third of them Xet files in huggingface_hub 2.0's shared store (linked,
 * with their `.refs` manifests; every payload shared by two neighbouring repos), side by side with
 * huggingface_hub 2.0's `scan_cache_dir` on the same cache in the same run. Target: ≥ 5× Python.
 * Each side is timed in its own process (median of 5 in-process runs, after one warm-up), and the
 * whole `hubcap cache ls --json` command is timed too.
 *
 *   npx tsx bench/cache-store.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanCache } from '../src-main/cache/scan';
import { hfPython } from '../test/helpers/hf-python';

const REPOS = 500;
const REVS = 3;
const FILES = 20;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-storebench-'));
const cache = path.join(root, 'hub');
const store = path.join(cache, 'blobs');
fs.mkdirSync(store, { recursive: true });
fs.writeFileSync(path.join(store, '.huggingface-shared-blobs'), '1\n');

const sha256 = (d: string) => createHash('sha256').update(d).digest('hex');
const commitOf = (seed: string) => createHash('sha1').update(seed).digest('hex');
const gitSha1 = (d: string) =>
  createHash('sha1')
    .update(`blob ${Buffer.byteLength(d)}\0`)
    .update(d)
    .digest('hex');
const xetOf = (data: string) => createHash('sha256').update(`xet:${data}`).digest('hex');
const refs = new Map<string, Set<string>>();
for (let r = 0; r < REPOS; r++) {
  const folder = `models--org${r % 50}--model-${r}`;
  for (let v = 0; v < REVS; v++) {
    const commit = commitOf(`${r}:${v}`);
    for (let f = 0; f < FILES; f++) {
      const xet = f % 3 === 0;
      // Xet payloads are shared by pairs of repos; other files change with the revision half the time.
      const data = xet ? `pair${r >> 1}-file${f}` : f % 2 === 0 ? `repo${r}-file${f}` : `repo${r}-rev${v}-file${f}`;
      const etag = xet || f >= 5 ? sha256(data) : gitSha1(data);
      const blob = path.join(cache, folder, 'blobs', etag);
      fs.mkdirSync(path.dirname(blob), { recursive: true });
      if (!fs.existsSync(blob)) {
        if (xet) {
          const hash = xetOf(data);
          const payload = path.join(store, hash.slice(0, 2), hash);
          fs.mkdirSync(path.dirname(payload), { recursive: true });
          if (!fs.existsSync(payload)) fs.writeFileSync(payload, data, { mode: 0o400 });
          fs.symlinkSync(`../../blobs/${hash.slice(0, 2)}/${hash}`, blob);
          refs.set(payload, (refs.get(payload) ?? new Set()).add(`${folder}/blobs/${etag}`));
        } else fs.writeFileSync(blob, data);
      }
      const rel = f < 5 ? `sub/f${f}.json` : `f${f}.bin`;
      const link = path.join(cache, folder, 'snapshots', commit, ...rel.split('/'));
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(`${'../'.repeat(2 + rel.split('/').length - 1)}blobs/${etag}`, link);
    }
    const ref = path.join(cache, folder, 'refs', v === REVS - 1 ? 'main' : `v${v}`);
    fs.mkdirSync(path.dirname(ref), { recursive: true });
    fs.writeFileSync(ref, commit);
  }
}
for (const [payload, lines] of refs) fs.writeFileSync(`${payload}.refs`, [...lines].map((l) => `${l}\n`).join(''), { mode: 0o666 });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

// Hubcap, in this process: one warm-up, then five.
scanCache(cache);
const ours: number[] = [];
let total = 0;
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  const s = scanCache(cache);
  ours.push(performance.now() - t);
  total = s.sizeOnDisk;
  if (s.repos.length !== REPOS || s.warnings.length || s.store.state !== 'v1')
    throw new Error(`bad scan: ${s.repos.length} repos, ${s.warnings.length} warnings`);
}

// huggingface_hub 2.0's scan_cache_dir, in its own process, the same way.
const py = spawnSync(
  hfPython(),
  [
    '-c',
    `import sys, time, json
from huggingface_hub import scan_cache_dir
scan_cache_dir(sys.argv[1])
ts = []
for _ in range(5):
    t = time.perf_counter(); info = scan_cache_dir(sys.argv[1]); ts.append((time.perf_counter() - t) * 1000)
print(json.dumps({"ms": sorted(ts)[2], "size": info.size_on_disk, "repos": len(info.repos), "warnings": len(info.warnings)}))`,
    cache,
  ],
  { encoding: 'utf8' },
);
if (py.status !== 0) throw new Error(py.stderr);
const pyResult = JSON.parse(py.stdout) as { ms: number; size: number; repos: number; warnings: number };
if (pyResult.size !== total) throw new Error(`totals differ: Hubcap ${total}, Python ${pyResult.size}`);

// The whole command, as a user runs it (process start included), median of 3.
const cli: number[] = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', 'src-main/cli/hubcap.ts', 'cache', 'ls', '--json'], {
    env: { ...process.env, HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1', HOME: root, HUBCAP_DATA_DIR: path.join(root, 'data') },
    stdio: 'ignore',
  });
  cli.push(performance.now() - t);
}
fs.rmSync(root, { recursive: true, force: true });

const report = {
  repos: REPOS,
  revisions: REPOS * REVS,
  files: REPOS * REVS * FILES,
  payloads: refs.size,
  totalBytesBothAgree: total,
  hubcapScanMs: +median(ours).toFixed(1),
  pythonScanCacheDirMs: +pyResult.ms.toFixed(1),
  speedup: +(pyResult.ms / median(ours)).toFixed(2),
  hubcapCacheLsCommandMs: +median(cli).toFixed(0),
};
console.log(JSON.stringify(report, null, 2));
console.log(`Hubcap ${report.hubcapScanMs} ms vs huggingface_hub 2.0 ${report.pythonScanCacheDirMs} ms: ${report.speedup}× (target ≥ 5×)`);
