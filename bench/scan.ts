/**
 * Cache scan benchmark: a synthetic Python-layout cache of 500 repos × 3 revisions × 20 files,
 * scanned in-process (target < 1 s), then the Cache page's first render of it in Chromium through
 * `hubcap serve` (target < 1 s). Baseline in the same process: a plain recursive `du`-style walk
 * (readdir + lstat of every entry), the least any scanner must do.
 *
 *   npm run build && npx tsx bench/scan.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanCache } from '../src-main/cache/scan';
import { commitOf, writePythonRevision } from '../test/helpers/python-cache';
import { launchChromium } from '../test/e2e/chromium';
import { startServe } from '../test/e2e/serve-process';

const REPOS = 500;
const REVS = 3;
const FILES = 20;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-scanbench-'));
const cache = path.join(root, 'hub');
for (let r = 0; r < REPOS; r++) {
  for (let v = 0; v < REVS; v++) {
    // Half the files are shared between revisions, as in real repos where only some files change.
    const files = Array.from({ length: FILES }, (_, f) => ({
      path: f < 5 ? `sub/f${f}.json` : `f${f}.bin`,
      data: f % 2 === 0 ? `repo${r}-file${f}` : `repo${r}-rev${v}-file${f}`,
      lfs: f >= 5,
    }));
    writePythonRevision(cache, `models--org${r % 50}--model-${r}`, commitOf(`${r}:${v}`), files, { refs: v === REVS - 1 ? ['main'] : [`v${v}`] });
  }
}

function walk(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    fs.lstatSync(p);
    n++;
    if (e.isDirectory()) n += walk(p);
  }
  return n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const scanMs: number[] = [];
const walkMs: number[] = [];
let files = 0;
for (let i = 0; i < 5; i++) {
  let t = performance.now();
  walk(cache);
  walkMs.push(performance.now() - t);
  t = performance.now();
  const s = scanCache(cache);
  scanMs.push(performance.now() - t);
  files = s.repos.reduce((a, r) => a + r.revisions.reduce((b, v) => b + v.files.length, 0), 0);
  if (s.repos.length !== REPOS || s.warnings.length) throw new Error(`bad scan: ${s.repos.length} repos, ${s.warnings.length} warnings`);
}

// First render of the Cache page in Chromium.
const serve = await startServe({ env: { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' } });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(serve.url);
await page.getByRole('navigation', { name: 'Main' }).waitFor();
const renders: number[] = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  await page.goto(`${serve.baseUrl}#/cache`);
  await page.reload();
  await page.getByTestId('repo-list').getByRole('button').first().waitFor();
  renders.push(performance.now() - t);
}
await browser.close();
await serve.stop();
fs.rmSync(root, { recursive: true, force: true });

const report = {
  repos: REPOS,
  revisions: REPOS * REVS,
  files,
  scanMs: +median(scanMs).toFixed(1),
  baselineWalkMs: +median(walkMs).toFixed(1),
  scanVsWalk: +(median(scanMs) / median(walkMs)).toFixed(2),
  cachePageFirstRenderMs: +median(renders).toFixed(0),
};
console.log(JSON.stringify(report, null, 2));
console.log(
  `scan ${report.scanMs} ms (target < 1000), ${report.scanVsWalk}× a bare walk; Cache page first render ${report.cachePageFirstRenderMs} ms (target < 1000)`,
);
