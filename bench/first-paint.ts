/**
 * First paint of the Gallery: the built renderer (out/renderer) against a baseline renderer built
 * from an earlier commit (by default the one before the route table, #27.5: one unminified chunk),
 * each served by the real `hubcap serve` (HUBCAP_UI_DIR picks the build) against one fakehub
 * catalogue, opened cold (fresh browser context, empty HTTP cache) in the browser tests' Chromium,
 * alternating A B B A… so load on the machine falls on both alike. Medians are reported.
 *
 *   npm run build && npx tsx bench/first-paint.ts [--runs N] [--baseline COMMIT] [--cpu-slowdown X]
 *
 * Per run: first contentful paint (the shell), the Gallery's first rows on screen (a frame after
 * they mount), and the JavaScript the page had loaded by then. --cpu-slowdown throttles the page's
 * CPU through DevTools (4 ≈ a low-end laptop), where parsing a big chunk shows most.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/e2e/chromium';
import { startServe, type ServeProcess } from '../test/e2e/serve-process';
import { catalogue, standardRepos } from '../test/fakehub/fixtures';
import { startFakeHub } from '../test/fakehub/server';

const { values } = parseArgs({ options: { runs: { type: 'string' }, baseline: { type: 'string' }, 'cpu-slowdown': { type: 'string' } } });
const RUNS = Number(values.runs ?? 10);
const SLOWDOWN = Number(values['cpu-slowdown'] ?? 1);
const ROOT = path.resolve(import.meta.dirname, '..');
const BUILT = path.join(ROOT, 'out/renderer');
if (!fs.existsSync(path.join(BUILT, 'index.html'))) throw new Error('Build first: npm run build');
// A copy: a build started meanwhile (tests, another checkout's work) replaces out/renderer's chunks.
const CURRENT = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-first-paint-current-'));
fs.cpSync(BUILT, CURRENT, { recursive: true });

const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

/** The commit before the route table was added, unless one is given. */
function baselineCommit(): string {
  if (values.baseline) return git('rev-parse', values.baseline);
  const added = git('log', '--diff-filter=A', '--format=%H', '--', 'src-renderer/app/routes.tsx').split('\n').at(-1);
  if (!added) throw new Error('no commit adds src-renderer/app/routes.tsx: give --baseline COMMIT');
  return git('rev-parse', `${added}^`);
}

/** That commit's tree, built as it built then (its own electron.vite.config), in a temporary folder. */
function buildBaseline(commit: string): { dir: string; cleanup: () => void } {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-first-paint-'));
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${tree}"`], { cwd: ROOT });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
  execFileSync(path.join(ROOT, 'node_modules/.bin/electron-vite'), ['build', '--logLevel', 'error'], { cwd: tree, stdio: 'inherit' });
  return { dir: path.join(tree, 'out/renderer'), cleanup: () => fs.rmSync(tree, { recursive: true, force: true }) };
}

interface Sample {
  fcp: number;
  gallery: number;
  jsBytes: number;
}

/** Installed before any page script: paint timings, and the frame after the first Gallery row mounts. */
const PROBE = `
  window.__firstPaint = {};
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__firstPaint[e.name] = e.startTime; }).observe({ type: 'paint', buffered: true });
  const seen = new MutationObserver(() => {
    if (!document.querySelector('[data-testid="model-card"]')) return;
    seen.disconnect();
    requestAnimationFrame(() => { window.__firstPaint.gallery = performance.now(); });
  });
  seen.observe(document, { childList: true, subtree: true });
`;

async function sample(browser: Browser, serve: ServeProcess): Promise<Sample> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    // Signed in first (the key becomes a session cookie), then a cold load of the Gallery.
    const signIn = await context.newPage();
    await signIn.goto(serve.url);
    await signIn.close();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    if (SLOWDOWN > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
    await page.addInitScript(PROBE);
    await page.goto(`${serve.baseUrl}#/gallery`);
    await page
      .waitForFunction(() => (window as unknown as { __firstPaint: { gallery?: number } }).__firstPaint.gallery !== undefined, undefined, { timeout: 60_000 })
      .catch(async (error: unknown) => {
        const shot = path.join(os.tmpdir(), `first-paint-failed-${Date.now()}.png`);
        await page.screenshot({ path: shot }).catch(() => undefined);
        throw new Error(`the Gallery did not show within 60 s (${String(error).split('\n')[0]}); the page: ${shot}`);
      });
    return await page.evaluate(() => {
      const fp = (window as unknown as { __firstPaint: Record<string, number> }).__firstPaint;
      const gallery = fp.gallery as number;
      const scripts = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js') && e.startTime < gallery) as PerformanceResourceTiming[];
      return { fcp: fp['first-contentful-paint'] ?? NaN, gallery, jsBytes: scripts.reduce((a, e) => a + e.decodedBodySize, 0) };
    });
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const commit = baselineCommit();
console.log(`Baseline: renderer of ${commit.slice(0, 10)} (${git('log', '-1', '--format=%s', commit).slice(0, 70)}…)`);
const baseline = buildBaseline(commit);
const hub = await startFakeHub({ repos: [...standardRepos(), ...catalogue(200)] });
const sides = {
  current: await startServe({ env: { HF_ENDPOINT: hub.url, HUBCAP_UI_DIR: CURRENT } }),
  baseline: await startServe({ env: { HF_ENDPOINT: hub.url, HUBCAP_UI_DIR: baseline.dir } }),
};
const browser = await launchChromium();
const results: Record<keyof typeof sides, Sample[]> = { current: [], baseline: [] };
const failures: Record<keyof typeof sides, number> = { current: 0, baseline: 0 };
try {
  // One unmeasured load each (the server's first Hub listing, Chromium's first start of a renderer).
  await sample(browser, sides.current);
  await sample(browser, sides.baseline);
  for (let i = 0; i < RUNS; i++) {
    const order: (keyof typeof sides)[] = i % 2 === 0 ? ['baseline', 'current'] : ['current', 'baseline'];
    for (const side of order) {
      // A load that never shows the Gallery is reported and counted, not averaged in.
      const got = await sample(browser, sides[side]).catch((error: unknown) => {
        console.error(`${side}, run ${i + 1}: ${(error as Error).message}`);
        failures[side]++;
        return null;
      });
      if (got) results[side].push(got);
    }
  }
} finally {
  await browser.close();
  await Promise.all([sides.current.stop(), sides.baseline.stop()]);
  await hub.close();
  baseline.cleanup();
  fs.rmSync(CURRENT, { recursive: true, force: true });
}

const row = (side: keyof typeof sides) => {
  const s = results[side];
  return { fcp: median(s.map((x) => x.fcp)), gallery: median(s.map((x) => x.gallery)), kib: median(s.map((x) => x.jsBytes)) / 1024 };
};
const b = row('baseline');
const c = row('current');
console.log(
  `\n${RUNS} cold loads each, alternating; CPU slowdown ${SLOWDOWN}×; medians; failed loads: baseline ${failures.baseline}, current ${failures.current}`,
);
console.log('side      first contentful paint   Gallery rows painted   JS loaded by then');
for (const [name, r] of [
  ['baseline', b],
  ['current', c],
] as const)
  console.log(
    `${name.padEnd(9)} ${`${r.fcp.toFixed(0)} ms`.padStart(22)} ${`${r.gallery.toFixed(0)} ms`.padStart(22)} ${`${r.kib.toFixed(0)} KiB`.padStart(19)}`,
  );
console.log(
  `current / baseline: first contentful paint ${(c.fcp / b.fcp).toFixed(2)}×, Gallery ${(c.gallery / b.gallery).toFixed(2)}×, JS ${(c.kib / b.kib).toFixed(2)}×`,
);
