/**
 * #24.2: deleting from a cache with huggingface_hub 2.0's shared store. Plans say exactly what the
 * disk gets back (a shared payload only with its last reference, a hard-linked blob never);
 * executing follows Python's sweep under the payload's lock, and refuses while a download writes
 * into what would go. Checked afterwards with Python's own scan_cache_dir and offline hf_hub_download.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { executePlan, planDeletion } from '../../src-main/cache/delete-plan';
import { scanCache } from '../../src-main/cache/scan';
import { deleteFromCache, revisionFiles } from '../../src-main/cache/service';
import { runCli } from '../helpers/cli';
import { startPythonWriter } from '../helpers/python';
import { tmpDir } from '../helpers/tmp';
import { commitOf, hfCli, ONLY_A, pyBuild, pyLoad, pyScan, SHARED, sha256, twoRepos, xetHashOf } from './hf2-store';

const env = (cache: string) => ({ HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' });
const payloadOf = (cache: string, data: Buffer) => path.join(cache, 'blobs', xetHashOf(data).slice(0, 2), xetHashOf(data));
const noUse = { partials: new Set<string>(), snapshots: [] };

describe('deleting from the shared blob store', () => {
  it('frees a shared payload only with its last reference, and Python agrees afterwards', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    const dry = await runCli(['cache', 'rm', 'org/a', '--dry-run'], env(cache));
    expect(dry.stdout).toContain('would delete org/a (3.01 kB)');
    expect(dry.stdout).toContain('would keep 5.00 kB: shared-store payloads other repos still use');
    expect(dry.stdout).toContain('Would free 3.01 kB.');

    const before = scanCache(cache).sizeOnDisk;
    const rm = await runCli(['cache', 'rm', 'org/a'], env(cache));
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain('Freed 3.01 kB.');
    expect(before - scanCache(cache).sizeOnDisk).toBe(3007);
    expect(fs.existsSync(payloadOf(cache, ONLY_A))).toBe(false);
    expect(fs.readFileSync(`${payloadOf(cache, SHARED)}.refs`, 'utf8')).toBe(`models--org--b/blobs/${sha256(SHARED)}\n`);

    // Python's view of what is left: no warning, the same size, and its offline download still works.
    const py = await pyScan(cache);
    expect(py.warnings).toEqual([]);
    expect(py.size_on_disk).toBe(scanCache(cache).sizeOnDisk);
    expect(await pyLoad(cache, 'org/b', 'w/shared.gguf')).toBe(sha256(SHARED));

    // The last repo goes: now the shared payload is freed too, and the store is empty.
    const last = await runCli(['cache', 'rm', 'org/b'], env(cache));
    expect(last.stdout).toContain('Freed 7.00 kB.');
    expect(scanCache(cache)).toMatchObject({ sizeOnDisk: 0, store: { payloads: 0 } });
    expect((await pyScan(cache)).size_on_disk).toBe(0);
  });

  it('prune collects payloads no repo links to, as hf cache prune does, and Python then finds nothing to prune', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    // An older client (or a person) removed a repo folder by hand: its payloads stay behind.
    fs.rmSync(path.join(cache, 'models--org--a'), { recursive: true });
    const pyDry = await hfCli(cache, ['cache', 'prune', '--dry-run']);
    expect(pyDry.stdout).toContain('1 unreferenced shared blob(s)');
    const dry = await runCli(['cache', 'prune', '--dry-run'], env(cache));
    expect(dry.stdout).toContain('would delete 1 unused shared-store payload (3.00 kB)');
    const run = await runCli(['cache', 'prune'], env(cache));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Freed 3.00 kB.');
    expect(fs.existsSync(payloadOf(cache, ONLY_A))).toBe(false);
    expect(fs.existsSync(payloadOf(cache, SHARED))).toBe(true);
    expect((await hfCli(cache, ['cache', 'prune', '--dry-run'])).stdout).toContain('Nothing to prune');
    expect(await pyLoad(cache, 'org/b', 'w/shared.gguf')).toBe(sha256(SHARED));
  });

  it('keeps a payload whose manifest is missing (leak rather than lose), and says so', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    fs.rmSync(`${payloadOf(cache, ONLY_A)}.refs`);
    const plan = planDeletion(scanCache(cache), [{ kind: 'repo', repo: 'org/a' }]);
    expect(plan.freedBytes).toBe(7);
    expect(plan.kept.map((k) => k.bytes)).toEqual([5000, 3000]);
    const result = await executePlan(cache, plan);
    expect(result.freedBytes).toBe(7);
    expect(fs.existsSync(payloadOf(cache, ONLY_A))).toBe(true);
  });

  it('keeps, and registers, a link into the store that its manifest does not list', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    // A writer that did not register its link: org/c reaches the shared payload, unlisted.
    const blob = path.join(cache, 'models--org--c', 'blobs', sha256(SHARED));
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    fs.symlinkSync(`../../blobs/${xetHashOf(SHARED).slice(0, 2)}/${xetHashOf(SHARED)}`, blob);
    const snap = path.join(cache, 'models--org--c', 'snapshots', commitOf('c1'));
    fs.mkdirSync(snap, { recursive: true });
    fs.symlinkSync(`../../blobs/${sha256(SHARED)}`, path.join(snap, 'shared.gguf'));
    fs.mkdirSync(path.join(cache, 'models--org--c', 'refs'));
    fs.writeFileSync(path.join(cache, 'models--org--c', 'refs', 'main'), commitOf('c1'));

    const plan = planDeletion(scanCache(cache), [
      { kind: 'repo', repo: 'org/a' },
      { kind: 'repo', repo: 'org/b' },
    ]);
    expect(plan.freedBytes).toBe(3007 + 2000);
    await executePlan(cache, plan);
    expect(fs.readFileSync(`${payloadOf(cache, SHARED)}.refs`, 'utf8')).toBe(`models--org--c/blobs/${sha256(SHARED)}\n`);
    // Registered, it now survives Python's own sweep of another repo too.
    expect(await pyLoad(cache, 'org/c', 'shared.gguf')).toBe(sha256(SHARED));
  });

  it('frees nothing for a blob hard-linked to another program’s file', async () => {
    const cache = tmpDir();
    await pyBuild(cache, [{ folder: 'models--org--adopted', commit: commitOf('h'), files: [{ path: 'm.gguf', data: ONLY_A, lfs: true }] }]);
    const other = path.join(tmpDir(), 'lmstudio.gguf');
    fs.linkSync(path.join(cache, 'models--org--adopted', 'blobs', sha256(ONLY_A)), other);
    // The Cache page can show it: the file says its bytes have another name.
    const scan = scanCache(cache);
    expect(revisionFiles(scan, 'model:org/adopted', commitOf('h'))).toEqual([expect.objectContaining({ path: 'm.gguf', hardLinks: 2 })]);
    const dry = await runCli(['cache', 'rm', 'org/adopted', '--dry-run'], env(cache));
    expect(dry.stdout).toContain('Would free 0 B.');
    expect(dry.stdout).toContain('would keep 3.00 kB: org/adopted: hard-linked to a file outside the cache');
    expect(fs.readFileSync(other).equals(ONLY_A)).toBe(true);
  });

  it('refuses, with the reason, to delete a repo Python is downloading into', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    const lock = path.join(cache, '.locks', 'models--org--a', `${sha256(Buffer.from('next'))}.lock`);
    const py = startPythonWriter(['hold', lock, '60']);
    await py.waitFor('locked');
    try {
      const scan = scanCache(cache);
      await expect(deleteFromCache(scan, [{ kind: 'repo', repo: 'model:org/a' }], noUse)).rejects.toThrow(/downloading into this right now/);
      expect(fs.existsSync(path.join(cache, 'models--org--a', 'snapshots'))).toBe(true);
    } finally {
      py.proc.kill();
      await py.exited;
    }
  });

  it('sweeps a payload only under its lock: waits while Python holds it', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    const py = startPythonWriter(['hold', `${payloadOf(cache, ONLY_A)}.lock`, '1.5']);
    await py.waitFor('locked');
    const order: string[] = [];
    const released = py.waitFor('released', 30_000).then(() => order.push('python released'));
    const run = executePlan(cache, planDeletion(scanCache(cache), [{ kind: 'repo', repo: 'org/a' }])).then((r) => {
      order.push('deleted');
      return r;
    });
    const [result] = await Promise.all([run, released]);
    expect(order).toEqual(['python released', 'deleted']);
    expect(result.freedBytes).toBe(3007);
    expect(fs.existsSync(payloadOf(cache, ONLY_A))).toBe(false);
  });
});
