/** places.browse: a folder's subfolders and what publishing it would send, within the home folder under serve. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browse } from '../../src-main/desktop/browse';

let root: string;
let home: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-browse-'));
  home = path.join(root, 'home');
  fs.mkdirSync(path.join(home, 'models', 'llama', 'sub'), { recursive: true });
  fs.mkdirSync(path.join(home, 'models', 'llama', '.git'), { recursive: true });
  fs.mkdirSync(path.join(home, 'Documents'));
  fs.writeFileSync(path.join(home, 'models', 'llama', 'a.gguf'), Buffer.alloc(1000));
  fs.writeFileSync(path.join(home, 'models', 'llama', 'sub', 'b.json'), '{}');
  fs.writeFileSync(path.join(home, 'models', 'llama', '.git', 'HEAD'), Buffer.alloc(5000));
  fs.mkdirSync(path.join(root, 'elsewhere'));
  fs.symlinkSync(path.join(root, 'elsewhere'), path.join(home, 'out'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('browse', () => {
  it('starts at home, lists subfolders sorted (not links), and has no way up from there under serve', async () => {
    const l = await browse(undefined, home, true);
    expect(l.path).toBe(fs.realpathSync(home));
    expect(l.folders).toEqual(['Documents', 'models']);
    expect(l.parent).toBeNull();
  });

  it('counts files and bytes as publishing would send them (.git left out)', async () => {
    const l = await browse(path.join(home, 'models', 'llama'), home, true);
    expect(l).toMatchObject({ kind: 'folder', files: 2, bytes: 1002, truncated: false, folders: ['.git', 'sub'] });
    expect(l.parent).toBe(fs.realpathSync(path.join(home, 'models')));
  });

  it('describes a file as one file of its size', async () => {
    expect(await browse(path.join(home, 'models', 'llama', 'a.gguf'), home, true)).toMatchObject({ kind: 'file', files: 1, bytes: 1000 });
  });

  it('refuses, under serve, what is outside home, even through a link; and relative or missing paths', async () => {
    await expect(browse(path.join(root, 'elsewhere'), home, true)).rejects.toMatchObject({ code: 'INVALID_PATH' });
    await expect(browse(path.join(home, 'out'), home, true)).rejects.toMatchObject({ code: 'INVALID_PATH' });
    await expect(browse('models', home, true)).rejects.toMatchObject({ code: 'INVALID_PATH' });
    await expect(browse(path.join(home, 'nope'), home, true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('on the desktop, lists anywhere its user can read', async () => {
    const l = await browse(path.join(root, 'elsewhere'), home, false);
    expect(l.parent).toBe(fs.realpathSync(root));
  });
});
