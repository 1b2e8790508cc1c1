import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CACHEDIR_TAG,
  ensureCacheDir,
  linkSnapshotFile,
  markNoExist,
  parseRepoFolderName,
  readRef,
  repoDir,
  repoFolderName,
  snapshotFilePath,
  writeRef,
} from '../../src-main/cache/layout';
import { commitOf, sha256 } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

const C1 = commitOf('c1');

function withBlob(cache: string, data: string) {
  const dir = repoDir(cache, { type: 'model', id: 'org/m' });
  const etag = sha256(data);
  fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'blobs', etag), data);
  return { dir, etag };
}

describe('cache layout names', () => {
  it('maps repo ids to folders and back, reversibly', () => {
    expect(repoFolderName({ type: 'model', id: 'org/name' })).toBe('models--org--name');
    expect(repoFolderName({ type: 'model', id: 'gpt2' })).toBe('models--gpt2');
    expect(repoFolderName({ type: 'dataset', id: 'a/b' })).toBe('datasets--a--b');
    expect(parseRepoFolderName('models--org--name')).toEqual({ type: 'model', id: 'org/name' });
    expect(parseRepoFolderName('spaces--x')).toEqual({ type: 'space', id: 'x' });
    expect(parseRepoFolderName('kernels--x--y')).toBeNull();
    expect(parseRepoFolderName('random')).toBeNull();
  });
});

describe('cache writing', () => {
  it('links snapshot files with depth-correct relative symlinks', () => {
    const cache = tmpDir();
    const { dir, etag } = withBlob(cache, 'weights');
    const top = linkSnapshotFile(cache, dir, C1, 'a.txt', etag, {});
    expect(fs.readlinkSync(top)).toBe(`../../blobs/${etag}`);
    const deep = linkSnapshotFile(cache, dir, C1, 'x/y/a.txt', etag, {});
    expect(fs.readlinkSync(deep)).toBe(`../../../../blobs/${etag}`);
    expect(fs.readFileSync(deep, 'utf8')).toBe('weights');
  });

  it('copies (existing blob) or moves (fresh blob) when symlinks are disabled, as Python does', () => {
    const cache = tmpDir();
    const { dir, etag } = withBlob(cache, 'weights');
    const copied = linkSnapshotFile(cache, dir, C1, 'a.txt', etag, { disableSymlinks: true });
    expect(fs.lstatSync(copied).isSymbolicLink()).toBe(false);
    expect(fs.existsSync(path.join(dir, 'blobs', etag))).toBe(true);
    const moved = linkSnapshotFile(cache, dir, C1, 'b.txt', etag, { disableSymlinks: true, freshBlob: true });
    expect(fs.readFileSync(moved, 'utf8')).toBe('weights');
    expect(fs.existsSync(path.join(dir, 'blobs', etag))).toBe(false);
  });

  it('writes refs with no trailing newline, in sub-folders for PR refs, never for commit revisions', () => {
    const cache = tmpDir();
    const dir = repoDir(cache, { type: 'model', id: 'org/m' });
    writeRef(dir, 'main', C1);
    writeRef(dir, 'refs/pr/1', C1);
    writeRef(dir, C1, C1);
    expect(fs.readFileSync(path.join(dir, 'refs', 'main'), 'utf8')).toBe(C1);
    expect(fs.readFileSync(path.join(dir, 'refs', 'refs', 'pr', '1'), 'utf8')).toBe(C1);
    expect(fs.existsSync(path.join(dir, 'refs', C1))).toBe(false);
    expect(readRef(dir, 'main')).toBe(C1);
    expect(fs.readdirSync(path.join(dir, 'refs')).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('refuses revisions and file names that would escape the repo folder', () => {
    const cache = tmpDir();
    const dir = repoDir(cache, { type: 'model', id: 'org/m' });
    for (const bad of ['../../evil', '/etc/passwd', 'a/../../b', 'C:/x', 'a\\..\\b', '', 'a//b', './a']) {
      expect(() => snapshotFilePath(dir, C1, bad)).toThrow();
    }
    expect(() => writeRef(dir, '../../escape', C1)).toThrow();
    expect(() => snapshotFilePath(dir, '../x', 'a')).toThrow();
    expect(snapshotFilePath(dir, C1, 'sub/ok.json')).toBe(path.join(dir, 'snapshots', C1, 'sub', 'ok.json'));
  });

  it('writes .no_exist markers and the CACHEDIR.TAG', () => {
    const cache = tmpDir();
    const dir = repoDir(cache, { type: 'model', id: 'org/m' });
    markNoExist(dir, C1, 'sub/missing.json');
    expect(fs.readFileSync(path.join(dir, '.no_exist', C1, 'sub', 'missing.json'), 'utf8')).toBe('');
    ensureCacheDir(cache);
    expect(fs.readFileSync(path.join(cache, 'CACHEDIR.TAG'), 'utf8')).toBe(CACHEDIR_TAG);
    expect(CACHEDIR_TAG.startsWith('Signature: 8a477f597d28d172789f06886806bc55')).toBe(true);
  });
});
