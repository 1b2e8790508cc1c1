/**
 * Downloads and the cache browser through the UI: `hubcap serve` pointed at fakehub, driven in
 * Chromium. Screenshots land in test-results/e2e/.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { bigRepo, MiB, standardRepos, tinyLlm, TOKENS } from '../fakehub/fixtures';
import { SHOTS, screenshotOnFailure } from './chromium';
import { partialOf } from '../helpers/files';
import { openServedPage, type ServedPage, type ServeProcess } from './serve-process';

const q8 = tinyLlm().commits[0]?.files.get('tiny-llm-Q8_0.gguf');
const q4 = tinyLlm().commits[0]?.files.get('tiny-llm-Q4_K_M.gguf');
const v1ConfigBytes = tinyLlm().commits[0]?.files.get('config.json')?.content.size as number;

let served: ServedPage;
let hub: FakeHub;
let serve: ServeProcess;
let page: Page;

beforeAll(async () => {
  hub = await startFakeHub({ repos: standardRepos(), tokens: TOKENS });
  served = await openServedPage({ env: { HF_ENDPOINT: hub.url } });
  ({ serve, page } = served);
});
afterAll(async () => {
  await served?.close();
  await hub?.close();
});
screenshotOnFailure(() => page);
afterEach(() => hub.faults.clear());

async function startDownload(repo: string, revision: string, selection: string) {
  await page.goto(`${serve.baseUrl}#/downloads`);
  await page.getByLabel('Repo id').fill(repo);
  await page.getByLabel('Revision').fill(revision);
  await page.getByLabel('Files or patterns').fill(selection);
  await page.getByRole('button', { name: 'Download', exact: true }).click();
}

const job = (repo: string) => page.getByTestId('download-job').filter({ hasText: repo }).first();

describe('downloads through the UI', () => {
  it('downloads a repo with live progress, pauses and resumes it', async () => {
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 1.5 * MiB, pathIncludes: q8?.sha256, times: Infinity });
    await startDownload('acme/tiny-llm', 'main', '*.json README.md *Q8_0.gguf');
    const card = job('acme/tiny-llm');
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 15_000 }).toBe('downloading');
    await expect.poll(async () => (await card.getByTestId('job-stats').textContent()) ?? '', { timeout: 15_000 }).toMatch(/[\d.]+ [kM]B\/s.*ETA/);
    await page.screenshot({ path: path.join(SHOTS, 'downloads-progress.png') });
    await card.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => card.getAttribute('data-state')).toBe('paused');
    const partial = partialOf(path.join(serve.hfHome, 'hub', 'models--acme--tiny-llm'), q8?.sha256 as string) as string;
    expect(fs.statSync(partial).size).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'downloads-paused.png') });
    hub.faults.clear();
    await card.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    const resumed = hub.log.filter((r) => r.origin === 'cdn' && r.url.includes(q8?.sha256 as string)).at(-1);
    expect(resumed?.headers.range).not.toBe('bytes=0-');
    await page.screenshot({ path: path.join(SHOTS, 'downloads-done.png') });
  });

  it('shows how many connections a large file uses on a far link, and the live speed', async () => {
    hub.addRepo(bigRepo(32 * MiB));
    // 1.5 MB/s per connection, 12 MB/s for the line: Auto opens several.
    hub.link.set({ perConnection: 1.5e6, aggregate: 12e6, firstByteMs: 20 });
    try {
      await startDownload('acme/big', 'main', 'big.gguf');
      const card = job('acme/big');
      await expect
        .poll(
          async () =>
            (await card
              .getByTestId('job-connections')
              .textContent()
              .catch(() => '')) ?? '',
          { timeout: 20_000 },
        )
        .toMatch(/^([3-9]|1\d) connections$/);
      expect((await card.getByTestId('job-stats').textContent()) ?? '').toMatch(/[\d.]+ [kM]B\/s/);
      await page.screenshot({ path: path.join(SHOTS, 'downloads-connections.png') });
      await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
      await expect(card.getByTestId('job-connections').count()).resolves.toBe(0);
    } finally {
      hub.link.set({});
    }
  });

  it('cancels a download, deleting the partial file unless asked to keep it', async () => {
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 1 * MiB, times: Infinity });
    const partial = () => partialOf(path.join(serve.hfHome, 'hub', 'models--acme--tiny-llm'), q4?.sha256 as string);
    for (const keep of [false, true]) {
      await startDownload('acme/tiny-llm', 'main', 'tiny-llm-Q4_K_M.gguf');
      const card = page.getByTestId('download-job').filter({ hasText: 'tiny-llm-Q4_K_M.gguf' }).first();
      await expect.poll(() => card.getAttribute('data-state'), { timeout: 15_000 }).toBe('downloading');
      await expect
        .poll(() => {
          const p = partial();
          return p ? fs.statSync(p).size : 0;
        })
        .toBeGreaterThan(0);
      await card.getByRole('button', { name: 'Cancel' }).click();
      const dialog = page.getByRole('dialog');
      if (keep) await dialog.getByRole('checkbox').check();
      if (keep) await page.screenshot({ path: path.join(SHOTS, 'downloads-cancel.png') });
      await dialog.getByRole('button', { name: 'Cancel download' }).click();
      await expect.poll(() => card.getAttribute('data-state')).toBe('cancelled');
      expect(partial() !== null).toBe(keep);
      await card.getByRole('button', { name: 'Remove from list' }).click();
    }
  });

  it('explains a gated repo and offers to request access', async () => {
    await startDownload('acme/gated-llm', 'main', '');
    const card = job('acme/gated-llm');
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 15_000 }).toBe('error');
    expect(await card.getByRole('alert').textContent()).toMatch(/gated: sign in.*GATED/);
    expect(await card.getByRole('link', { name: 'Request access' }).getAttribute('href')).toBe(`${hub.url}/acme/gated-llm`);
    await page.screenshot({ path: path.join(SHOTS, 'downloads-gated.png') });
  });

  it('counts down while retrying, shows no frozen speed, and lists failed and cancelled jobs apart from finished ones', async () => {
    hub.faults.add({ kind: 'status', origin: 'cdn', status: 503, retryAfter: 3, pathIncludes: q4?.sha256, times: 1 });
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 2 * MiB, pathIncludes: q4?.sha256, times: Infinity });
    await startDownload('acme/tiny-llm', 'main', 'tiny-llm-Q4_K_M.gguf');
    const card = page.getByTestId('download-job').filter({ hasText: 'tiny-llm-Q4_K_M.gguf' }).first();
    const retrying = card.getByTestId('job-retrying');
    await expect
      .poll(() => retrying.textContent(), { timeout: 15_000 })
      .toMatch(/download host \(127\.0\.0\.1:\d+\) answered HTTP 503: retrying in [23] s \(attempt 1 of 8\)/);
    const before = Number(/retrying in (\d) s/.exec((await retrying.textContent()) ?? '')?.[1]);
    expect(await card.getByTestId('job-stats').textContent()).not.toMatch(/B\/s|ETA/);
    await page.screenshot({ path: path.join(SHOTS, 'downloads-retrying.png') });
    await expect
      .poll(async () => Number(/retrying in (\d) s/.exec((await retrying.textContent().catch(() => '')) ?? '')?.[1] ?? 0), { timeout: 5000 })
      .toBeLessThan(before);
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    // One more, cancelled: the list now has a failed (gated), a cancelled and finished jobs, each apart.
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 256 * 1024, times: Infinity });
    await startDownload('acme/split-llm', 'main', 'split-llm-Q8_0.gguf');
    const q8card = page.getByTestId('download-job').filter({ hasText: 'split-llm-Q8_0.gguf' }).first();
    await expect.poll(() => q8card.getAttribute('data-state'), { timeout: 15_000 }).toBe('downloading');
    await q8card.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel download' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Cancelled' }).getByTestId('download-job').count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Failed' }).textContent()).toMatch(/acme\/gated-llm/);
    expect(await page.getByRole('region', { name: 'Finished' }).textContent()).toMatch(/tiny-llm-Q4_K_M\.gguf/);
    await page.screenshot({ path: path.join(SHOTS, 'downloads-sections.png'), fullPage: true });
  });

  it('refuses a bad repo id with a specific message', async () => {
    await startDownload('../etc/passwd', 'main', '');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/not a valid repo id/);
  });
});

describe('the cache browser', () => {
  it('shows the downloaded repo by name, its revisions and files, and deletes a revision', async () => {
    await startDownload('acme/tiny-llm', 'v1.0', 'config.json');
    await expect.poll(() => job('acme/tiny-llm').getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    await job('acme/tiny-llm').getByRole('link', { name: 'Show in cache' }).click();
    const detail = page.getByTestId('repo-detail');
    await detail.waitFor();
    expect(await detail.getByRole('heading').textContent()).toBe('acme/tiny-llm');
    await expect.poll(() => detail.getByTestId('revision').count()).toBe(2);
    expect(await detail.textContent()).toMatch(/main/);
    expect(await detail.textContent()).toMatch(/v1\.0/);
    await detail.getByTestId('revision').filter({ hasText: 'main' }).getByRole('button', { name: 'Files' }).click();
    await expect.poll(() => detail.getByTestId('file-list').textContent()).toMatch(/tiny-llm-Q8_0\.gguf/);
    await detail.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => detail.getByTestId('verify-ok').textContent()).toMatch(/All \d+ blobs match/);
    await page.screenshot({ path: path.join(SHOTS, 'cache.png'), fullPage: true });

    const v1 = detail.getByTestId('revision').filter({ hasText: 'v1.0' });
    await v1.getByRole('button', { name: /Delete revision/ }).click();
    const plan = page.getByTestId('delete-plan');
    await expect.poll(() => plan.textContent()).toMatch(/freed/);
    // v1.0's config.json is its own blob (main has a newer one): exactly its bytes are freed.
    expect(await plan.textContent()).toMatch(new RegExp(`^${v1ConfigBytes} B freed`));
    await page.screenshot({ path: path.join(SHOTS, 'cache-delete-plan.png') });
    await page.getByRole('button', { name: `Delete ${v1ConfigBytes} B` }).click();
    await expect.poll(() => detail.getByTestId('revision').count()).toBe(1);
    expect(fs.existsSync(path.join(serve.hfHome, 'hub', 'models--acme--tiny-llm', 'refs', 'v1.0'))).toBe(false);
    expect(fs.existsSync(path.join(serve.hfHome, 'hub', 'models--acme--tiny-llm', 'refs', 'main'))).toBe(true);
  });

  it('cleans up stale unfinished downloads and detached revisions after a preview, and repairs a corrupt blob', async () => {
    const v1 = tinyLlm().commits[0]?.sha as string;
    await startDownload('acme/tiny-llm', v1, 'README.md');
    await expect.poll(() => job('acme/tiny-llm').getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    const repoDir = path.join(serve.hfHome, 'hub', 'models--acme--tiny-llm');
    const stale = path.join(repoDir, 'blobs', `${'e'.repeat(64)}.incomplete`);
    fs.writeFileSync(stale, Buffer.alloc(4000));
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(stale, old, old);
    await page.goto(`${serve.baseUrl}#/cache/${encodeURIComponent('model:acme/tiny-llm')}`);
    await page.getByRole('button', { name: 'Rescan' }).click();
    await expect
      .poll(() => page.getByText(/^Can go:/).textContent())
      .toBe('Can go: 1 stale unfinished download (4.00 kB), 1 detached revision (no branch or tag points at it).');
    await page.getByRole('button', { name: 'Clean up…' }).click();
    const plan = page.getByTestId('delete-plan');
    await expect.poll(() => plan.textContent()).toMatch(/unfinished download of eeeeeeeeeeee… in acme\/tiny-llm/);
    expect(await plan.textContent()).toContain(`acme/tiny-llm@${v1.slice(0, 8)}`);
    await page.screenshot({ path: path.join(SHOTS, 'cache-cleanup-plan.png') });
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /^Delete/ })
      .click();
    await expect.poll(() => fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(path.join(repoDir, 'snapshots', v1))).toBe(false);
    expect(fs.existsSync(path.join(repoDir, 'refs', 'main'))).toBe(true);

    // A corrupt blob: Verify names it, Repair downloads exactly it again.
    const blob = path.join(repoDir, 'blobs', q8?.sha256 as string);
    const bytes = fs.readFileSync(blob);
    bytes[99] = (bytes[99] as number) ^ 1;
    fs.writeFileSync(blob, bytes);
    const detail = page.getByTestId('repo-detail');
    await detail.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => detail.getByRole('alert').textContent()).toMatch(/1 of \d+ blobs is corrupt: [0-9a-f]{8}\/tiny-llm-Q8_0\.gguf/);
    await page.screenshot({ path: path.join(SHOTS, 'cache-verify-corrupt.png') });
    await detail.getByRole('button', { name: 'Re-download the corrupt files' }).click();
    await page.getByRole('heading', { level: 1, name: 'Downloads' }).waitFor();
    await expect
      .poll(() => page.getByTestId('download-job').filter({ hasText: 'tiny-llm-Q8_0.gguf' }).first().getAttribute('data-state'), { timeout: 20_000 })
      .toBe('done');
    expect(createHash('sha256').update(fs.readFileSync(blob)).digest('hex')).toBe(q8?.sha256);
  });
});
