/** Delete plans: exactly what a delete frees (huggingface_hub's arithmetic), then an execution that never leaves the cache. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCache } from '../../src-main/cache/scan';
import { executePlan, planDeletion } from '../../src-main/cache/delete-plan';
import { A, B, commitOf, pythonCache, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

describe('delete plans', () => {
  it('frees only blobs no remaining revision uses', async () => {
    const cache = pythonCache();
    const plan = planDeletion(scanCache(cache), [{ kind: 'revision', repo: 'model:org/llm', commit: A }]);
    expect(plan.freedBytes).toBe(1000);
    expect(plan.snapshots).toHaveLength(1);
    expect(plan.refs.map((r) => path.basename(r))).toEqual(['v1']);
    expect(plan.blobs).toHaveLength(1);
    await executePlan(cache, plan);
    const after = scanCache(cache);
    const llm = after.repos.find((r) => r.id === 'org/llm');
    expect(llm?.revisions.map((r) => r.commit)).toEqual([B]);
    expect(llm?.revisions[0]?.files.map((f) => fs.readFileSync(f.blobPath).length)).toEqual([7, 2000]);
    expect(after.warnings).toEqual([]);
  });

  it('deletes the whole repo folder when every revision is selected, counting its full size', async () => {
    const cache = pythonCache();
    const plan = planDeletion(scanCache(cache), [
      { kind: 'revision', repo: 'model:org/llm', commit: A },
      { kind: 'revision', repo: 'model:org/llm', commit: 'main' },
    ]);
    expect(plan.repos).toEqual([path.join(cache, 'models--org--llm')]);
    expect(plan.freedBytes).toBe(3007);
    expect(plan.snapshots).toEqual([]);
    await executePlan(cache, plan);
    expect(fs.existsSync(path.join(cache, 'models--org--llm'))).toBe(false);
    expect(fs.existsSync(path.join(cache, 'datasets--org--data'))).toBe(true);
  });

  it('a dry run is the same plan and touches nothing', async () => {
    const cache = pythonCache();
    const before = scanCache(cache).sizeOnDisk;
    const plan = planDeletion(scanCache(cache), [{ kind: 'repo', repo: 'org/llm' }]);
    expect(plan.freedBytes).toBe(3007);
    expect(scanCache(cache).sizeOnDisk).toBe(before);
  });

  it('never deletes what a link outside the cache points to', async () => {
    const cache = pythonCache();
    const outside = path.join(tmpDir(), 'precious');
    fs.writeFileSync(outside, 'keep me');
    fs.symlinkSync(outside, path.join(cache, 'models--org--llm', 'snapshots', A, 'link.txt'));
    await executePlan(cache, planDeletion(scanCache(cache), [{ kind: 'repo', repo: 'org/llm' }]));
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep me');
  });

  it('cleans orphan blobs and unfinished downloads, sparing active ones', async () => {
    const cache = pythonCache();
    const blobs = path.join(cache, 'models--org--llm', 'blobs');
    fs.writeFileSync(path.join(blobs, 'd'.repeat(64)), Buffer.alloc(30));
    fs.writeFileSync(path.join(blobs, `${'e'.repeat(64)}.incomplete`), Buffer.alloc(50));
    fs.writeFileSync(path.join(blobs, `${'c'.repeat(64)}.incomplete`), Buffer.alloc(5));
    const active = path.join(blobs, `${'c'.repeat(64)}.incomplete`);
    const plan = planDeletion(scanCache(cache), [{ kind: 'orphans' }, { kind: 'incomplete', exclude: [active] }]);
    expect(plan.freedBytes).toBe(80);
    await executePlan(cache, plan);
    expect(fs.readdirSync(blobs).sort()).toEqual(expect.arrayContaining([`${'c'.repeat(64)}.incomplete`]));
    expect(fs.existsSync(path.join(blobs, 'd'.repeat(64)))).toBe(false);
  });

  it('refuses unknown repos and revisions', () => {
    const scan = scanCache(pythonCache());
    expect(() => planDeletion(scan, [{ kind: 'repo', repo: 'org/none' }])).toThrow(/not in the cache/);
    expect(() => planDeletion(scan, [{ kind: 'revision', repo: 'org/llm', commit: 'f'.repeat(40) }])).toThrow(/not a cached revision/);
  });

  it('removes revisions no ref points at (hf cache prune), except a snapshot in use, and tidies empty ref folders', async () => {
    const cache = pythonCache();
    const llm = path.join(cache, 'models--org--llm');
    const C = commitOf('c');
    const D = commitOf('d');
    writePythonRevision(cache, 'models--org--llm', C, [{ path: 'only-c.txt', data: 'c' }]);
    writePythonRevision(cache, 'models--org--llm', D, [{ path: 'only-d.txt', data: 'dd' }]);
    const inUse = path.join(llm, 'snapshots', D);
    const plan = planDeletion(scanCache(cache), [{ kind: 'detached', exclude: [inUse] }]);
    expect(plan.snapshots).toEqual([path.join(llm, 'snapshots', C)]);
    expect(plan.freedBytes).toBe(1);
    await executePlan(cache, plan);
    expect(fs.readdirSync(path.join(llm, 'snapshots')).sort()).toEqual([A, B, D].sort());

    // Deleting B takes main and refs/pr/1 (stored as refs/refs/pr/1, as Python does) with it, and the emptied folders.
    await executePlan(cache, planDeletion(scanCache(cache), [{ kind: 'revision', repo: 'org/llm', commit: 'main' }]));
    expect(fs.existsSync(path.join(llm, 'refs', 'pr'))).toBe(false);
    expect(fs.readdirSync(path.join(llm, 'refs'))).toEqual(['v1']);
  });

  it('finds a revision by a short commit or a ref name, and frees a blob shared only by deleted revisions once', async () => {
    const cache = tmpDir();
    const same = { path: 'w.bin', data: Buffer.alloc(500, 7), lfs: true };
    writePythonRevision(cache, 'models--org--m', A, [same], { refs: ['a'] });
    writePythonRevision(cache, 'models--org--m', B, [same, { path: 'x', data: 'x' }], { refs: ['b'] });
    writePythonRevision(cache, 'models--org--m', commitOf('keep'), [{ path: 'k', data: 'k' }], { refs: ['main'] });
    const plan = planDeletion(scanCache(cache), [
      { kind: 'revision', repo: 'model:org/m', commit: A.slice(0, 8) },
      { kind: 'revision', repo: 'model:org/m', commit: 'b' },
    ]);
    expect(plan.blobs).toHaveLength(2);
    expect(plan.freedBytes).toBe(501);
    expect(plan.summary.map((s) => s.label).sort()).toEqual(['org/m@a', 'org/m@b']);
  });

  it('deletes copies (a symlink-less cache) with their snapshot folder, counting their bytes', async () => {
    const cache = tmpDir();
    writePythonRevision(cache, 'models--win--m', A, [{ path: 'a.bin', data: Buffer.alloc(10) }], { refs: ['v1'], symlinks: false });
    writePythonRevision(cache, 'models--win--m', B, [{ path: 'b.bin', data: Buffer.alloc(20) }], { refs: ['main'], symlinks: false });
    const plan = planDeletion(scanCache(cache), [{ kind: 'revision', repo: 'win/m', commit: 'v1' }]);
    expect(plan.blobs).toEqual([]);
    expect(plan.freedBytes).toBe(10);
    await executePlan(cache, plan);
    expect(scanCache(cache).repos[0]?.revisions.map((r) => r.commit)).toEqual([B]);
  });

  it('names an unfinished download after the file it would become', async () => {
    const cache = pythonCache();
    const scan = scanCache(cache);
    const weight = scan.repos
      .find((r) => r.id === 'org/llm')
      ?.revisions.find((r) => r.commit === B)
      ?.files.find((f) => f.path === 'w/model.gguf');
    const etag = path.basename(weight?.blobPath ?? '');
    fs.writeFileSync(path.join(cache, 'models--org--llm', 'blobs', `${etag}.1a2b3c4d.incomplete`), Buffer.alloc(9));
    const plan = planDeletion(scanCache(cache), [{ kind: 'incomplete' }]);
    expect(plan.summary).toEqual([{ label: 'unfinished download of w/model.gguf in org/llm', bytes: 9 }]);
  });

  it('refuses to execute a plan that reaches outside the cache', async () => {
    const cache = pythonCache();
    const outside = path.join(tmpDir(), 'precious');
    fs.writeFileSync(outside, 'keep me');
    const result = await executePlan(cache, {
      repos: [],
      snapshots: [],
      refs: [],
      blobs: [],
      loose: [outside, path.join(cache, '..', path.basename(cache) + '-x')],
      payloads: [],
      freedBytes: 0,
      summary: [],
      kept: [],
      locks: [],
    });
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep me');
    expect(result.errors[0]).toMatch(/outside the cache/);
    expect(result.deleted).toBe(0);
  });
});
