/** What changed between the cached revision and the new head, file by file, and what an update fetches: pure, listings in. */
import { describe, expect, it } from 'vitest';
import { diffFiles, wholeFileTravel, type ListedFile } from '../../src-main/updates/changes';

const f = (etag: string, size: number): ListedFile => ({ etag: etag.repeat(64).slice(0, 64), size });
const listing = (entries: Record<string, ListedFile>) => new Map(Object.entries(entries));

describe('diffFiles', () => {
  it('names each change, a rename by its bytes, changed first and same last, and fetches the whole new revision when the cache holds the whole old one', () => {
    const before = listing({
      'config.json': f('a', 10),
      'model.gguf': f('b', 1000),
      'old-name.bin': f('c', 50),
      'gone.txt': f('d', 5),
      'README.md': f('e', 7),
    });
    const after = listing({
      'config.json': f('a', 10),
      'model.gguf': f('B', 1200),
      'new-name.bin': f('c', 50),
      'added.txt': f('f', 3),
      'README.md': f('e', 7),
    });
    const d = diffFiles(before, after, before);
    expect(d.whole).toBe(true);
    expect(d.files).toEqual([
      { path: 'model.gguf', change: 'changed', oldSize: 1000, newSize: 1200, selected: true },
      { path: 'new-name.bin', change: 'renamed', from: 'old-name.bin', oldSize: 50, newSize: 50, selected: true },
      { path: 'added.txt', change: 'added', oldSize: null, newSize: 3, selected: true },
      { path: 'gone.txt', change: 'removed', oldSize: 5, newSize: null, selected: false },
      { path: 'config.json', change: 'same', oldSize: 10, newSize: 10, selected: true },
      { path: 'README.md', change: 'same', oldSize: 7, newSize: 7, selected: true },
    ]);
    expect(d.selection).toEqual(['model.gguf', 'new-name.bin', 'added.txt', 'config.json', 'README.md']);
  });

  it('with part of the old revision cached, fetches only what the cache has and what those files became', () => {
    const before = listing({ 'q4.gguf': f('a', 100), 'q8.gguf': f('b', 200), 'x.bin': f('c', 9) });
    const after = listing({ 'q4.gguf': f('A', 110), 'q8.gguf': f('B', 210), 'y.bin': f('c', 9), 'new.txt': f('d', 1) });
    const d = diffFiles(before, after, listing({ 'q4.gguf': f('a', 100), 'x.bin': f('c', 9) }));
    expect(d.whole).toBe(false);
    expect(d.selection).toEqual(['q4.gguf', 'y.bin']);
    expect(d.files.find((x) => x.path === 'q8.gguf')).toMatchObject({ change: 'changed', selected: false });
    expect(d.files.find((x) => x.path === 'new.txt')).toMatchObject({ change: 'added', selected: false });
  });

  it('without the old listing compares only what the cache holds, and is never "whole"', () => {
    const held = listing({ 'a.gguf': f('a', 1) });
    const d = diffFiles(null, listing({ 'a.gguf': f('a', 1), 'b.gguf': f('b', 2) }), held);
    expect(d.whole).toBe(false);
    expect(d.files).toEqual([
      { path: 'b.gguf', change: 'added', oldSize: null, newSize: 2, selected: false },
      { path: 'a.gguf', change: 'same', oldSize: 1, newSize: 1, selected: true },
    ]);
  });

  it('pairs two removed copies of the same bytes with two added paths one to one', () => {
    const before = listing({ 'a1.bin': f('s', 4), 'a2.bin': f('s', 4) });
    const after = listing({ 'b1.bin': f('s', 4), 'b2.bin': f('s', 4) });
    const d = diffFiles(before, after, before);
    expect(d.files.map((x) => [x.path, x.change, x.from])).toEqual([
      ['b1.bin', 'renamed', 'a1.bin'],
      ['b2.bin', 'renamed', 'a2.bin'],
    ]);
  });
});

describe('wholeFileTravel', () => {
  it('counts the selected files whose blob this machine does not hold', () => {
    const after = listing({ 'a.gguf': f('a', 100), 'b.gguf': f('b', 20), 'c.txt': f('c', 3) });
    const held = new Set([f('b', 0).etag]);
    expect(wholeFileTravel(after, ['a.gguf', 'b.gguf', 'missing'], (e) => held.has(e))).toBe(100);
    expect(wholeFileTravel(after, [], () => false)).toBe(0);
  });
});
