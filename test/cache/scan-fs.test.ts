/** The cache scan's reads never throw: what another program removed mid-scan is simply absent, and links to folders are not followed. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { safeLstat, safeReaddir, safeReadlink, safeRealpath, safeStat, walkEntries, walkFiles } from '../../src-main/cache/scan-fs';
import { tmpDir } from '../helpers/tmp';

describe('scan reads', () => {
  it('answer empty or null for what is not there, instead of throwing', () => {
    const gone = path.join(tmpDir(), 'gone');
    expect(safeReaddir(gone)).toEqual([]);
    expect(safeStat(gone)).toBeNull();
    expect(safeLstat(gone)).toBeNull();
    expect(safeReadlink(gone)).toBeNull();
    expect(safeRealpath(gone)).toBeNull();
    const file = path.join(tmpDir(), 'f');
    fs.writeFileSync(file, 'x');
    expect(safeReadlink(file)).toBeNull(); // not a link
    expect(safeReaddir(file)).toEqual([]); // not a folder
    fs.symlinkSync(gone, `${file}.link`);
    expect(safeReadlink(`${file}.link`)).toBe(gone);
    expect(safeStat(`${file}.link`)).toBeNull();
    expect(safeLstat(`${file}.link`)?.isSymbolicLink()).toBe(true);
  });

  it('walk files and links below a snapshot without following links to folders or taking FIFOs', () => {
    const root = tmpDir();
    const outside = tmpDir();
    fs.writeFileSync(path.join(outside, 'far.bin'), 'x');
    fs.mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'top.json'), '{}');
    fs.writeFileSync(path.join(root, 'a', 'b', 'deep.bin'), 'd');
    fs.symlinkSync(path.join(outside, 'far.bin'), path.join(root, 'a', 'blob-link'));
    fs.symlinkSync(outside, path.join(root, 'folder-link'));
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    const rel = (p: string) => path.relative(root, p);
    expect(
      walkEntries(root)
        .map((e) => [rel(e.path), e.isSymbolicLink])
        .sort(),
    ).toEqual([
      ['a/b/deep.bin', false],
      ['a/blob-link', true],
      ['folder-link', true],
      ['top.json', false],
    ]);
    expect([...walkFiles(root)].map(rel).sort()).toEqual(['a/b/deep.bin', 'top.json']);
    expect(walkEntries(path.join(root, 'nope'))).toEqual([]);
  });
});
