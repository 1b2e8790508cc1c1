import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCache } from '../../src-main/cache/scan';
import { executePlan, planDeletion } from '../../src-main/cache/delete-plan';
import { verifyRepo } from '../../src-main/cache/verify';
import { commitOf, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

const A = commitOf('a');
const B = commitOf('b');

/** org/llm with two revisions sharing config.json; a 1000-byte and a 2000-byte weight each. */
function pythonCache() {
  const cache = tmpDir();
  const shared = { path: 'config.json', data: '{"a":1}' };
  writePythonRevision(cache, 'models--org--llm', A, [shared, { path: 'w/model.gguf', data: Buffer.alloc(1000, 1), lfs: true }], { refs: ['v1'] });
  writePythonRevision(cache, 'models--org--llm', B, [shared, { path: 'w/model.gguf', data: Buffer.alloc(2000, 2), lfs: true }], {
    refs: ['main', 'refs/pr/1'],
  });
  writePythonRevision(cache, 'datasets--org--data', A, [{ path: 'd.csv', data: 'x,y\n' }], { refs: ['main'] });
  return cache;
}

describe('cache scan (huggingface_hub arithmetic)', () => {
  it('reads a Python-written cache: repos, revisions, refs, nested files', () => {
    const scan = scanCache(pythonCache());
    expect(scan.warnings).toEqual([]);
    expect(scan.repos.map((r) => `${r.type}:${r.id}`).sort()).toEqual(['dataset:org/data', 'model:org/llm']);
    const llm = scan.repos.find((r) => r.id === 'org/llm');
    expect(llm?.refs).toEqual({ v1: A, main: B, 'refs/pr/1': B });
    const revB = llm?.revisions.find((r) => r.commit === B);
    expect(revB?.refs).toEqual(['main', 'refs/pr/1']);
    expect(revB?.files.map((f) => f.path)).toEqual(['config.json', 'w/model.gguf']);
  });

  it('counts a blob shared by revisions once per repo', () => {
    const scan = scanCache(pythonCache());
    const llm = scan.repos.find((r) => r.id === 'org/llm');
    expect(llm?.revisions.find((r) => r.commit === A)?.sizeOnDisk).toBe(7 + 1000);
    expect(llm?.revisions.find((r) => r.commit === B)?.sizeOnDisk).toBe(7 + 2000);
    expect(llm?.sizeOnDisk).toBe(7 + 1000 + 2000);
    expect(llm?.nbFiles).toBe(3);
    expect(scan.sizeOnDisk).toBe(3007 + 4);
  });

  it('reads symlink-less caches (copies in snapshots)', () => {
    const cache = tmpDir();
    writePythonRevision(
      cache,
      'models--win--m',
      A,
      [
        { path: 'a.bin', data: Buffer.alloc(10) },
        { path: 'b/c.txt', data: 'hi' },
      ],
      { refs: ['main'], symlinks: false },
    );
    const scan = scanCache(cache);
    expect(scan.warnings).toEqual([]);
    expect(scan.repos[0]?.sizeOnDisk).toBe(12);
    expect(scan.repos[0]?.revisions[0]?.files.every((f) => !f.linked)).toBe(true);
  });

  it('turns oddities into warnings, and lists incomplete and orphan files', () => {
    const cache = pythonCache();
    const llm = path.join(cache, 'models--org--llm');
    fs.symlinkSync('../../blobs/' + 'f'.repeat(64), path.join(llm, 'snapshots', B, 'gone.gguf'));
    fs.writeFileSync(path.join(llm, 'blobs', `${'e'.repeat(64)}.incomplete`), Buffer.alloc(50));
    fs.writeFileSync(path.join(llm, 'blobs', 'd'.repeat(64)), Buffer.alloc(30));
    fs.writeFileSync(path.join(llm, 'refs', 'stale'), commitOf('nowhere'));
    fs.mkdirSync(path.join(cache, 'not-a-repo'));
    fs.writeFileSync(path.join(cache, 'CACHEDIR.TAG'), 'Signature: x');
    fs.mkdirSync(path.join(cache, '.locks'));
    const outside = path.join(tmpDir(), 'secret');
    fs.writeFileSync(outside, 'secret');
    fs.symlinkSync(outside, path.join(llm, 'snapshots', B, 'escape.txt'));
    const scan = scanCache(cache);
    const kinds = scan.warnings.map((w) => w.kind).sort();
    expect(kinds).toEqual(['bad-name', 'dangling-link', 'link-outside-cache', 'ref-to-missing-commit']);
    expect(scan.incomplete).toEqual([expect.objectContaining({ size: 50, etag: 'e'.repeat(64), repo: 'model:org/llm' })]);
    expect(scan.orphans).toEqual([expect.objectContaining({ size: 30, etag: 'd'.repeat(64) })]);
    // The repo stays listed, with the odd files left out of its sizes.
    expect(scan.repos.find((r) => r.id === 'org/llm')?.sizeOnDisk).toBe(3007);
  });

  it('reports a missing cache folder as empty, not as an error', () => {
    expect(scanCache(path.join(tmpDir(), 'nope'))).toMatchObject({ exists: false, repos: [] });
  });
});

describe('delete plans', () => {
  it('frees only blobs no remaining revision uses', () => {
    const cache = pythonCache();
    const plan = planDeletion(scanCache(cache), [{ kind: 'revision', repo: 'model:org/llm', commit: A }]);
    expect(plan.freedBytes).toBe(1000);
    expect(plan.snapshots).toHaveLength(1);
    expect(plan.refs.map((r) => path.basename(r))).toEqual(['v1']);
    expect(plan.blobs).toHaveLength(1);
    executePlan(cache, plan);
    const after = scanCache(cache);
    const llm = after.repos.find((r) => r.id === 'org/llm');
    expect(llm?.revisions.map((r) => r.commit)).toEqual([B]);
    expect(llm?.revisions[0]?.files.map((f) => fs.readFileSync(f.blobPath).length)).toEqual([7, 2000]);
    expect(after.warnings).toEqual([]);
  });

  it('deletes the whole repo folder when every revision is selected, counting its full size', () => {
    const cache = pythonCache();
    const plan = planDeletion(scanCache(cache), [
      { kind: 'revision', repo: 'model:org/llm', commit: A },
      { kind: 'revision', repo: 'model:org/llm', commit: 'main' },
    ]);
    expect(plan.repos).toEqual([path.join(cache, 'models--org--llm')]);
    expect(plan.freedBytes).toBe(3007);
    expect(plan.snapshots).toEqual([]);
    executePlan(cache, plan);
    expect(fs.existsSync(path.join(cache, 'models--org--llm'))).toBe(false);
    expect(fs.existsSync(path.join(cache, 'datasets--org--data'))).toBe(true);
  });

  it('a dry run is the same plan and touches nothing', () => {
    const cache = pythonCache();
    const before = scanCache(cache).sizeOnDisk;
    const plan = planDeletion(scanCache(cache), [{ kind: 'repo', repo: 'org/llm' }]);
    expect(plan.freedBytes).toBe(3007);
    expect(scanCache(cache).sizeOnDisk).toBe(before);
  });

  it('never deletes what a link outside the cache points to', () => {
    const cache = pythonCache();
    const outside = path.join(tmpDir(), 'precious');
    fs.writeFileSync(outside, 'keep me');
    fs.symlinkSync(outside, path.join(cache, 'models--org--llm', 'snapshots', A, 'link.txt'));
    executePlan(cache, planDeletion(scanCache(cache), [{ kind: 'repo', repo: 'org/llm' }]));
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep me');
  });

  it('cleans orphan blobs and unfinished downloads, sparing active ones', () => {
    const cache = pythonCache();
    const blobs = path.join(cache, 'models--org--llm', 'blobs');
    fs.writeFileSync(path.join(blobs, 'd'.repeat(64)), Buffer.alloc(30));
    fs.writeFileSync(path.join(blobs, `${'e'.repeat(64)}.incomplete`), Buffer.alloc(50));
    fs.writeFileSync(path.join(blobs, `${'c'.repeat(64)}.incomplete`), Buffer.alloc(5));
    const active = path.join(blobs, `${'c'.repeat(64)}.incomplete`);
    const plan = planDeletion(scanCache(cache), [{ kind: 'orphans' }, { kind: 'incomplete', exclude: [active] }]);
    expect(plan.freedBytes).toBe(80);
    executePlan(cache, plan);
    expect(fs.readdirSync(blobs).sort()).toEqual(expect.arrayContaining([`${'c'.repeat(64)}.incomplete`]));
    expect(fs.existsSync(path.join(blobs, 'd'.repeat(64)))).toBe(false);
  });

  it('refuses unknown repos and revisions', () => {
    const scan = scanCache(pythonCache());
    expect(() => planDeletion(scan, [{ kind: 'repo', repo: 'org/none' }])).toThrow(/not in the cache/);
    expect(() => planDeletion(scan, [{ kind: 'revision', repo: 'org/llm', commit: 'f'.repeat(40) }])).toThrow(/not a cached revision/);
  });
});

describe('verify', () => {
  it('finds corrupt blobs by rehashing them', async () => {
    const cache = pythonCache();
    let repo = scanCache(cache).repos.find((r) => r.id === 'org/llm');
    expect((await verifyRepo(repo as never)).checks.every((b) => b.ok)).toBe(true);
    const weight = repo?.revisions.find((r) => r.commit === A)?.files.find((f) => f.path === 'w/model.gguf');
    fs.writeFileSync(weight?.blobPath as string, Buffer.alloc(1000, 9));
    repo = scanCache(cache).repos.find((r) => r.id === 'org/llm');
    const bad = (await verifyRepo(repo as never)).checks.filter((b) => !b.ok);
    expect(bad).toHaveLength(1);
    expect(bad[0]?.files).toEqual([`${A.slice(0, 8)}/w/model.gguf`]);
  });
});
