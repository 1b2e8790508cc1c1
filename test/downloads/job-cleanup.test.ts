/**
 * What a stopped job leaves: its partials go unless another program holds the blob's lock, and a
 * repo folder it made but never filled goes, while one with a ref or a .no_exist marker stays.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobLockPath, tryLockFile } from '../../src-main/cache/blob-lock';
import { repoDir, repoFolderName, writeRef } from '../../src-main/cache/layout';
import { removeIfEmpty, removePartials } from '../../src-main/downloads/job-cleanup';
import { tmpDir } from '../helpers/tmp';

const repo = { type: 'model' as const, id: 'acme/clean' };
const etag = 'a'.repeat(64);

describe('job cleanup', () => {
  it('removes the partials of a blob only when nobody holds its lock', async () => {
    const cache = tmpDir();
    const blobs = path.join(repoDir(cache, repo), 'blobs');
    fs.mkdirSync(blobs, { recursive: true });
    const names = [`${etag}.incomplete`, `${etag}.00ff00ff.incomplete`, `${'b'.repeat(64)}.incomplete`];
    for (const n of names) fs.writeFileSync(path.join(blobs, n), 'x');
    const held = await tryLockFile(blobLockPath(cache, repoFolderName(repo), etag));
    if (!held) throw new Error('lock not taken');
    await removePartials(cache, repo, etag);
    expect(fs.readdirSync(blobs).sort()).toEqual([...names].sort());
    await held.release();
    await removePartials(cache, repo, etag);
    expect(fs.readdirSync(blobs)).toEqual([`${'b'.repeat(64)}.incomplete`]);
  });

  it('removes a repo folder left empty, keeps one with a ref or a blob', () => {
    const cache = tmpDir();
    const dir = repoDir(cache, repo);
    fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
    removeIfEmpty(dir);
    expect(fs.existsSync(dir)).toBe(false);
    fs.mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
    writeRef(dir, 'main', 'c'.repeat(40));
    removeIfEmpty(dir);
    expect(fs.existsSync(dir)).toBe(true);
    fs.rmSync(path.join(dir, 'refs'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'blobs'));
    fs.writeFileSync(path.join(dir, 'blobs', etag), 'x');
    removeIfEmpty(dir);
    expect(fs.existsSync(path.join(dir, 'blobs', etag))).toBe(true);
  });
});
