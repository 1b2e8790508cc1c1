import { describe, expect, it } from 'vitest';
import { storeTiles, tilesOf } from '../../../src-renderer/components/Treemap';
import { repo } from '../fixtures';

const rev = (commit: string, refs: string[], uniqueBytes: number) => ({
  commit: commit.repeat(40),
  refs,
  sizeOnDisk: 0,
  uniqueBytes,
  snapshotPath: `/c/models--acme--tiny/snapshots/${commit}`,
  nbFiles: 1,
  lastModified: 0,
});

describe('tilesOf', () => {
  it('gives each revision its own bytes and the blobs they share one tile, adding up to the repo on disk', () => {
    const r = repo({ sizeOnDisk: 100, revisions: [rev('a', ['main'], 30), rev('b', [], 10)] });
    const tiles = tilesOf(r);
    expect(tiles.map((t) => [t.name, t.value])).toEqual([
      ['acme/tiny@main', 30],
      [`acme/tiny@${'b'.repeat(8)}`, 10],
      ['acme/tiny (shared by revisions)', 60],
    ]);
    expect(tiles.reduce((a, t) => a + (t.value ?? 0), 0)).toBe(r.sizeOnDisk);
  });

  it('leaves out empty tiles, and keeps a sliver for an empty repo so it can be picked', () => {
    expect(tilesOf(repo({ sizeOnDisk: 30, revisions: [rev('a', ['main'], 30), rev('b', ['v1'], 0)] })).map((t) => t.name)).toEqual(['acme/tiny@main']);
    expect(tilesOf(repo({ sizeOnDisk: 0, revisions: [] }))).toEqual([{ name: 'acme/tiny', key: 'model:acme/tiny', value: 1 }]);
  });
});

describe('storeTiles', () => {
  it('shows the shared store bytes no repo tile holds (used by several repos, or by none), so the map adds up to the disk', () => {
    const tiles = storeTiles({ sharedBytes: 500, unlinked: [{ path: '/c/blobs/ab/x', size: 70, lastModified: 0 }] });
    expect(tiles.map((t) => [t.name, t.value])).toEqual([
      ['Shared blob store (used by several repos)', 500],
      ['Shared blob store (used by no repo: prune collects it)', 70],
    ]);
    expect(storeTiles({ sharedBytes: 0, unlinked: [] })).toEqual([]);
  });
});
