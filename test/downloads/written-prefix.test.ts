/** The read-only view of a partial for the mirror: the prefix from the ranges record or the file's size, the blob once renamed in place, a dropped attempt. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rangesPathOf } from '../../src-main/downloads/range-state';
import { WrittenPrefix } from '../../src-main/downloads/written-prefix';
import { tmpDir } from '../helpers/tmp';

const ETAG = 'ab'.repeat(32);
const SIZE = 100;

function partial(dir: string, name: string, bytes: number, done?: [number, number][]): string {
  const p = path.join(dir, `${ETAG}.${name}.incomplete`);
  fs.writeFileSync(p, Buffer.alloc(bytes, 7));
  if (done) fs.writeFileSync(rangesPathOf(p), JSON.stringify({ v: 1, size: SIZE, done }));
  return p;
}

describe('written prefix', () => {
  it('is nothing before a partial exists, the record’s first span with one, the file’s size without', async () => {
    const dir = tmpDir();
    const w = new WrittenPrefix(dir, ETAG, SIZE);
    expect(await w.look()).toEqual({ kind: 'none' });
    // Written out of order: bytes up to 90 are on disk, only [0, 50) from the start.
    const p = partial(dir, '0000aaaa', 90, [
      [0, 50],
      [60, 90],
    ]);
    expect(await w.look()).toEqual({ kind: 'writing', prefix: 50 });
    fs.rmSync(rangesPathOf(p));
    fs.appendFileSync(p, Buffer.alloc(10, 7));
    expect(await w.look()).toEqual({ kind: 'writing', prefix: 100 });
    await w.release();
  });

  it('follows the partial it holds into the blob’s name, and says when it was dropped for another', async () => {
    const dir = tmpDir();
    const kept = new WrittenPrefix(dir, ETAG, SIZE);
    const p = partial(dir, '1111bbbb', SIZE);
    expect(await kept.look()).toEqual({ kind: 'writing', prefix: SIZE });
    const dropped = new WrittenPrefix(dir, ETAG, SIZE);
    expect((await dropped.look()).kind).toBe('writing');
    fs.renameSync(p, path.join(dir, ETAG));
    expect(await kept.look()).toEqual({ kind: 'blob' });
    // The blob replaced by another file (a repair): what was held is no longer it.
    fs.rmSync(path.join(dir, ETAG));
    fs.writeFileSync(path.join(dir, ETAG), Buffer.alloc(SIZE, 1));
    expect(await kept.look()).toEqual({ kind: 'dropped' });
    expect(await dropped.look()).toEqual({ kind: 'dropped' });
    await dropped.release();
    // Let go, the next look opens the blob now in place.
    expect(await dropped.look()).toEqual({ kind: 'blob' });
    await kept.release();
    await dropped.release();
  });
});
