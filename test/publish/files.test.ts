/**
 * What a publish sends from the chosen files and folders: repo paths under the chosen folder,
 * include/exclude with allow_patterns' meaning, `.git` and `.cache` never, one file per repo path,
 * links only where they stay inside (or are a cache snapshot's links into blobs/), split GGUFs whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFiles, modelParts } from '../../src-main/publish/files';
import { tmpDir } from '../helpers/tmp';

const none = { pathInRepo: '', include: [], exclude: [] };

function tree(files: Record<string, string>): string {
  const root = tmpDir();
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text);
  }
  return root;
}

describe('collectFiles', () => {
  it('sends a folder’s files by their relative paths under the chosen repo folder, sorted, skipping .git and .cache', () => {
    const root = tree({ 'b.gguf': 'bb', 'sub/a.json': '{}', '.git/HEAD': 'x', '.cache/huggingface/x': 'y', 'sub/.gitattributes': '*' });
    const { files, skipped } = collectFiles([root], { ...none, pathInRepo: 'models/' });
    expect(files.map((f) => [f.path, f.size])).toEqual([
      ['models/b.gguf', 2],
      ['models/sub/.gitattributes', 1],
      ['models/sub/a.json', 2],
    ]);
    expect(skipped).toEqual([]);
    expect(files[0]?.localPath).toBe(path.join(fs.realpathSync(root), 'b.gguf'));
  });

  it('filters by include and exclude patterns, as allow_patterns and ignore_patterns select', () => {
    const root = tree({ 'm-Q4.gguf': '1', 'm-Q8.gguf': '2', 'config.json': '3', 'sub/notes.md': '4' });
    expect(collectFiles([root], { ...none, include: ['*.gguf', '*.json'], exclude: ['*Q8*'] }).files.map((f) => f.path)).toEqual(['config.json', 'm-Q4.gguf']);
    expect(collectFiles([root], { ...none, include: ['*.md'] }).files.map((f) => f.path)).toEqual(['sub/notes.md']);
  });

  it('sends one file per repo path and says which was left out; refuses a repo folder that could escape', () => {
    const a = tree({ 'config.json': 'a' });
    const b = tree({ 'config.json': 'b' });
    const { files, skipped } = collectFiles([path.join(a, 'config.json'), path.join(b, 'config.json')], none);
    expect(files.map((f) => f.localPath)).toEqual([path.join(fs.realpathSync(a), 'config.json')]);
    expect(skipped).toEqual([
      { path: path.join(fs.realpathSync(b), 'config.json'), reason: `config.json is already sent from ${path.join(fs.realpathSync(a), 'config.json')}.` },
    ]);
    expect(() => collectFiles([a], { ...none, pathInRepo: '../up' })).toThrow(/not a folder path the Hub accepts/);
    expect(() => collectFiles([a], { ...none, pathInRepo: '/abs' })).toThrow(/no leading/);
    expect(() => collectFiles([path.join(a, 'missing')], none)).toThrow(/does not exist/);
  });

  it('follows a link that stays inside the folder, and skips one that leaves it, one to a folder, one to nothing', () => {
    const outside = tree({ 'secret.txt': 'no' });
    const root = tree({ 'real.bin': 'data', 'dir/x.txt': 'x' });
    fs.symlinkSync(path.join(root, 'real.bin'), path.join(root, 'alias.bin'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'leak.txt'));
    fs.symlinkSync(path.join(root, 'dir'), path.join(root, 'dirlink'));
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'dangling'));
    const { files, skipped } = collectFiles([root], none);
    expect(files.map((f) => f.path)).toEqual(['alias.bin', 'dir/x.txt', 'real.bin']);
    expect(files[0]?.localPath).toBe(path.join(fs.realpathSync(root), 'real.bin'));
    expect(skipped.map((s) => [path.basename(s.path), s.reason.split(' (')[0]])).toEqual([
      ['dangling', 'A link to something that is not there.'],
      ['dirlink', 'A link to a folder; not followed.'],
      ['leak.txt', 'A link out of the folder'],
    ]);
  });
});

describe('modelParts', () => {
  it('names every part of a split GGUF from its first, and a single file alone', () => {
    expect(modelParts('/m/big-00001-of-00003.gguf')).toEqual(['/m/big-00001-of-00003.gguf', '/m/big-00002-of-00003.gguf', '/m/big-00003-of-00003.gguf']);
    expect(modelParts('/m/one.gguf')).toEqual(['/m/one.gguf']);
  });
});
