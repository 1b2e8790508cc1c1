/**
 * #24.1: a cache whose shared blob store huggingface_hub 2.0 wrote is read as it is — every payload
 * counted once, each repo showing what it holds alone and what it shares (with whom), totals equal
 * to Python's physical size and to the bytes on disk; an unknown store layout is left alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCache } from '../../src-main/cache/scan';
import { overview, revisionFiles } from '../../src-main/cache/service';
import { verifyRepo } from '../../src-main/cache/verify';
import { runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';
import { pyBuild, pyScan, SHARED, twoRepos, xetHashOf } from './hf2-store';

/** Bytes of every regular file under the repos' blobs/ folders and the store: what the cache holds. */
function bytesOnDisk(cache: string): number {
  let n = 0;
  for (const e of fs.readdirSync(cache, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(cache, path.join(e.parentPath, e.name)).split(path.sep);
    if (e.isFile() && rel[1] !== undefined && (rel[0] === 'blobs' ? /^[0-9a-f]{64}$/.test(e.name) : rel[1] === 'blobs'))
      n += fs.lstatSync(path.join(e.parentPath, e.name)).size;
  }
  return n;
}

describe('reading the shared blob store of huggingface_hub 2.0', () => {
  it('counts every payload once and says what each repo holds alone and shares', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    const scan = scanCache(cache);
    expect(scan.warnings).toEqual([]);
    const a = scan.repos.find((r) => r.id === 'org/a');
    const b = scan.repos.find((r) => r.id === 'org/b');
    expect(a).toMatchObject({ sizeOnDisk: 3000 + 7, sharedBytes: 5000, sharedWith: ['model:org/b'] });
    expect(b).toMatchObject({ sizeOnDisk: 2000, sharedBytes: 5000, sharedWith: ['model:org/a'] });
    expect(scan.store).toMatchObject({ state: 'v1', payloads: 3, bytes: 10000, sharedBytes: 5000, unlinked: [] });
    // The total: Python's physical size, and the bytes on disk.
    const py = await pyScan(cache);
    expect(py.warnings).toEqual([]);
    expect(scan.sizeOnDisk).toBe(py.size_on_disk);
    expect(scan.sizeOnDisk).toBe(bytesOnDisk(cache));
    expect(scan.sizeOnDisk).toBe(5000 + 3000 + 2000 + 7);
    // Files read through the store carry their payload.
    const file = a?.revisions[0]?.files.find((f) => f.path === 'shared.gguf');
    expect(file?.storePath).toBe(path.join(cache, 'blobs', xetHashOf(SHARED).slice(0, 2), xetHashOf(SHARED)));

    // A revision's files say which are read through the store.
    const files = revisionFiles(scan, 'model:org/a', a?.revisions[0]?.commit as string);
    expect(files.filter((f) => f.shared).map((f) => f.path)).toEqual(['a.gguf', 'shared.gguf']);
    // The overview: a revision's own bytes leave out what other repos share.
    const view = overview(scan, new Set());
    expect(view.repos.find((r) => r.id === 'org/a')?.revisions[0]?.uniqueBytes).toBe(3007);
    expect(view.repos.reduce((s, r) => s + r.sizeOnDisk, 0) + view.store.sharedBytes).toBe(view.sizeOnDisk);
  });

  it('verifies files read through the store by their sha256', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    const repo = scanCache(cache).repos.find((r) => r.id === 'org/b');
    const result = await verifyRepo(repo as never);
    expect(result.checks.map((c) => c.ok)).toEqual([true, true]);
  });

  it('cache ls and --json show the same numbers, with no warning about blobs/', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    const ls = await runCli(['cache', 'ls'], { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' });
    expect(ls.code).toBe(0);
    expect(ls.stderr).not.toContain('warning');
    expect(ls.stdout).toMatch(/org\/a +model +1 +3 +3\.01 kB +5\.00 kB with 1 repo/);
    expect(ls.stdout).toContain('2 repos, 10.0 kB in');
    expect(ls.stdout).toContain('Shared blob store (huggingface_hub 2.x): 3 payloads, 10.0 kB, of which 5.00 kB used by several repos');
    expect(ls.stdout).toContain('org/b shares 5.00 kB with org/a');
    const json = await runCli(['cache', 'ls', '--json'], { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' });
    const parsed = JSON.parse(json.stdout) as { sizeOnDisk: number; store: { payloads: number } };
    expect(parsed.sizeOnDisk).toBe(10007);
    expect(parsed.store.payloads).toBe(3);
  });

  it('leaves a store of an unknown layout alone, with a clear message', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    const marker = path.join(cache, 'blobs', '.huggingface-shared-blobs');
    fs.chmodSync(marker, 0o600);
    fs.writeFileSync(marker, '2\n');
    const scan = scanCache(cache);
    expect(scan.store.state).toBe('unknown');
    expect(scan.warnings.map((w) => w.kind)).toContain('store-unknown-layout');
    expect(scan.warnings.find((w) => w.kind === 'store-unknown-layout')?.message).toContain('left alone');
    // Nothing of it is counted as ours, and nothing in it was touched.
    expect(scan.store.bytes).toBe(0);
    expect(fs.readdirSync(path.join(cache, 'blobs')).length).toBe(4);
  });
});
