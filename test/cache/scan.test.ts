import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCache } from '../../src-main/cache/scan';
import { verifyRepo } from '../../src-main/cache/verify';
import { A, B, commitOf, pythonCache, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

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
