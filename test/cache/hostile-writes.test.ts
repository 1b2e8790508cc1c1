/**
 * Writes into a shared cache never go through what someone else put at the name: a `.no_exist`
 * marker, a range record's temp file or a copied snapshot file that is a link to a file the user
 * owns (which a plain write would truncate) or a FIFO (which a plain open would wait on forever).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkSnapshotFile, markNoExist } from '../../src-main/cache/layout';
import { RangesRecord } from '../../src-main/downloads/range-state';
import { XetJournal } from '../../src-main/downloads/xet-journal';
import { A } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

describe('writing into a cache others write', () => {
  it('a .no_exist marker planted as a link to the user’s file, or as a FIFO, is replaced, never written through', () => {
    const repo = path.join(tmpDir(), 'models--org--x');
    const victim = path.join(tmpDir(), 'victim.txt');
    fs.writeFileSync(victim, 'precious');
    fs.mkdirSync(path.join(repo, '.no_exist', A), { recursive: true });
    fs.symlinkSync(victim, path.join(repo, '.no_exist', A, 'nope.txt'));
    execFileSync('mkfifo', [path.join(repo, '.no_exist', A, 'nope2.txt')]);
    markNoExist(repo, A, 'nope.txt');
    markNoExist(repo, A, 'nope2.txt');
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    for (const n of ['nope.txt', 'nope2.txt']) {
      const st = fs.lstatSync(path.join(repo, '.no_exist', A, n));
      expect(st.isFile() && st.size === 0).toBe(true);
    }
  });

  it('a range record’s temp name planted as a link is replaced, never written through', async () => {
    const blobs = tmpDir();
    const partial = path.join(blobs, `${'a'.repeat(64)}.0123abcd.incomplete`);
    fs.writeFileSync(partial, '');
    const record = new RangesRecord(partial, 100);
    const victim = path.join(tmpDir(), 'victim.txt');
    fs.writeFileSync(victim, 'precious');
    const tmp = `${record.path.slice(0, -'.incomplete'.length)}.next.incomplete`;
    fs.symlinkSync(victim, tmp);
    record.saveSync([[0, 10]]);
    fs.symlinkSync(victim, tmp);
    await record.save([[0, 20]]);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(JSON.parse(fs.readFileSync(record.path, 'utf8'))).toMatchObject({ done: [[0, 20]] });
    // The Xet journal rewrites the same record through the same temp name (range-state.ts's one home).
    const journal = new XetJournal(partial, 100, 'c'.repeat(64));
    fs.symlinkSync(victim, tmp);
    journal.save([[0, 30]]);
    fs.symlinkSync(victim, tmp);
    journal.progress('r', 1, 48, [40], () => [[0, 40]], 100);
    await journal.settled();
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(JSON.parse(fs.readFileSync(record.path, 'utf8'))).toMatchObject({ done: [[0, 40]] });
    expect(fs.existsSync(tmp)).toBe(false);
  });

  it('a copy-mode snapshot file is never copied from a blob that is a FIFO', () => {
    const cache = tmpDir();
    const repo = path.join(cache, 'models--org--x');
    const etag = 'b'.repeat(64);
    fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
    execFileSync('mkfifo', [path.join(repo, 'blobs', etag)]);
    expect(() => linkSnapshotFile(cache, repo, A, 'w.gguf', etag, { disableSymlinks: true })).toThrow(/named pipe/);
  });
});
