/**
 * What publishing does to each file of an existing repo: add, replace, or leave (the same bytes),
 * decided from the Hub's preupload answer (mode and current oid) and paths-info sizes, hashing only
 * what a size cannot settle: sha256 for LFS files, git's blob sha1 for regular ones.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalFile } from '../../src-main/publish/files';
import { compareWithRepo } from '../../src-main/publish/compare';
import { hubAnswering, json } from '../helpers/fakes';
import { tmpDir } from '../helpers/tmp';

const REPO = { type: 'model' as const, id: 'org/m' };
const HEAD = 'd'.repeat(40);
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

function localFiles(entries: Record<string, Buffer>): LocalFile[] {
  const dir = tmpDir();
  return Object.entries(entries).map(([p, data]) => {
    const localPath = path.join(dir, p.replaceAll('/', '_'));
    fs.writeFileSync(localPath, data);
    return { path: p, localPath, size: data.length, mtimeMs: 0 };
  });
}

describe('compareWithRepo', () => {
  it('adds what is not there, replaces by size without hashing, and hashes the rest by the Hub’s own id', async () => {
    const same = Buffer.from('same weights');
    const regular = Buffer.from('{"a":1}');
    const files = localFiles({
      'new.bin': Buffer.from('n'),
      'bigger.gguf': Buffer.alloc(10),
      'same.gguf': same,
      'changed.gguf': Buffer.from('mine'),
      'config.json': regular,
      'README.md': Buffer.from('# mine'),
    });
    const { http, asked } = hubAnswering((url) => {
      if (url.pathname.includes('/preupload/'))
        return json({
          commitOid: HEAD,
          files: [
            { path: 'new.bin', uploadMode: 'lfs' },
            { path: 'bigger.gguf', uploadMode: 'lfs', oid: 'b'.repeat(64) },
            { path: 'same.gguf', uploadMode: 'lfs', oid: sha256(same) },
            { path: 'changed.gguf', uploadMode: 'lfs', oid: sha256('theirs!') },
            { path: 'config.json', uploadMode: 'regular', oid: gitSha1(regular) },
            { path: 'README.md', uploadMode: 'regular', oid: '9'.repeat(40) },
          ],
        });
      return json([
        { path: 'bigger.gguf', size: 99 },
        { path: 'same.gguf', size: same.length },
        { path: 'changed.gguf', size: 4 },
      ]);
    });
    const hashed: string[] = [];
    const hashes = { sha256: async (file: string) => (hashed.push(path.basename(file)), sha256(fs.readFileSync(file))) };
    const r = await compareWithRepo(http, REPO, { revision: 'main', createPr: false, files, hashes });
    expect(r.head).toBe(HEAD);
    expect(Object.fromEntries(r.actions)).toEqual({
      'new.bin': 'add',
      'bigger.gguf': 'replace',
      'same.gguf': 'unchanged',
      'changed.gguf': 'replace',
      'config.json': 'unchanged',
      'README.md': 'replace',
    });
    expect(r.modes.get('config.json')).toBe('regular');
    expect(r.modes.get('new.bin')).toBe('lfs');
    // The file of another size was never read.
    expect(hashed.sort()).toEqual(['changed.gguf', 'same.gguf']);
    expect(asked.map((u) => u.pathname)).toEqual(['/api/models/org/m/preupload/main', `/api/models/org/m/paths-info/${HEAD}`]);
  });

  it('asks in chunks of 100 files, for a pull request when asked, and ignores ids that are not blob ids', async () => {
    const files = localFiles(Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`f${i}.txt`, Buffer.from(String(i))])));
    const { http, asked } = hubAnswering((url, init) => {
      const body = JSON.parse(String(init?.body)) as { files: { path: string }[] };
      return json({ files: body.files.map((f) => ({ path: f.path, uploadMode: 'regular', oid: '../../etc' })) });
    });
    const r = await compareWithRepo(http, REPO, { revision: 'main', createPr: true, files, hashes: { sha256: async () => '' } });
    expect(asked.map((u) => `${u.pathname}${u.search}`)).toEqual([
      '/api/models/org/m/preupload/main?create_pr=1',
      '/api/models/org/m/preupload/main?create_pr=1',
    ]);
    expect(new Set(r.actions.values())).toEqual(new Set(['add']));
    expect(r.head).toBe('');
  });
});
