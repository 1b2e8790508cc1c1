/**
 * Which bytes of a partial download are on disk: spans merged as they land, the first hole found,
 * the record beside the partial read back checked (a bad or impossible record trusts nothing), and
 * saves serialized so the latest wins.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RangesRecord, rangesPathOf, readRanges, SpanSet } from '../../src-main/downloads/range-state';
import { tmpDir } from '../helpers/tmp';

describe('SpanSet', () => {
  it('keeps sorted, disjoint, non-adjacent spans whatever order they land in', () => {
    const s = new SpanSet();
    s.add(100, 200);
    s.add(0, 50);
    s.add(300, 400);
    s.add(50, 60); // adjacent: joins the first
    s.add(150, 320); // bridges two
    s.add(10, 10); // empty: nothing
    expect(s.spans()).toEqual([
      [0, 60],
      [100, 400],
    ]);
    expect(s.total()).toBe(360);
    expect(s.prefix()).toBe(60);
    expect([s.has(0), s.has(59), s.has(60), s.has(100), s.has(399), s.has(400)]).toEqual([true, true, false, true, true, false]);
    expect(new SpanSet([[5, 9]]).prefix()).toBe(0);
  });

  it('finds the first hole at or after a position, below a limit', () => {
    const s = new SpanSet([
      [0, 10],
      [20, 30],
    ]);
    expect(s.gapAt(0, 100)).toEqual([10, 20]);
    expect(s.gapAt(12, 100)).toEqual([12, 20]);
    expect(s.gapAt(25, 100)).toEqual([30, 100]);
    expect(s.gapAt(0, 15)).toEqual([10, 15]);
    expect(new SpanSet([[0, 30]]).gapAt(0, 30)).toBeNull();
    expect(s.spans()).not.toBe(s.spans()); // a copy: the caller cannot change the set
  });
});

describe('the ranges record beside a partial', () => {
  const partial = () => path.join(tmpDir(), `${'a'.repeat(64)}.0123abcd.incomplete`);

  it('is named so that a prune of *.incomplete takes it with the partial', () => {
    expect(rangesPathOf('/c/blobs/abc.12.incomplete')).toBe('/c/blobs/abc.12.ranges.incomplete');
  });

  it('reads back what was saved; no record means a prefix; a bad or impossible one trusts nothing', async () => {
    const p = partial();
    expect(await readRanges(p, 1000)).toBeNull();
    const rec = new RangesRecord(p, 1000);
    rec.saveSync([[0, 10]]);
    expect(await readRanges(p, 1000)).toEqual([[0, 10]]);
    // Overlapping spans in a record are merged on the way in.
    fs.writeFileSync(
      rec.path,
      JSON.stringify({
        v: 1,
        size: 1000,
        done: [
          [0, 10],
          [5, 20],
        ],
      }),
    );
    expect(await readRanges(p, 1000)).toEqual([[0, 20]]);
    const bad = [
      'not json',
      JSON.stringify({ v: 2, size: 1000, done: [] }),
      JSON.stringify({ v: 1, size: 999, done: [] }),
      JSON.stringify({ v: 1, size: 1000, done: [[0, 1001]] }),
      JSON.stringify({ v: 1, size: 1000, done: [[-1, 5]] }),
      JSON.stringify({ v: 1, size: 1000, done: [[5, 5]] }),
      JSON.stringify({ v: 1, size: 1000, done: [[0.5, 5]] }),
      JSON.stringify({ v: 1, size: 1000, done: [[0, 5, 9]] }),
      JSON.stringify({ v: 1, size: 1000, done: 'all' }),
    ];
    for (const text of bad) {
      fs.writeFileSync(rec.path, text);
      expect(await readRanges(p, 1000), text).toEqual([]);
    }
    // A FIFO or a folder in its place is refused, not waited on.
    fs.rmSync(rec.path);
    execFileSync('mkfifo', [rec.path]);
    expect(await readRanges(p, 1000)).toEqual([]);
    fs.rmSync(rec.path);
    fs.mkdirSync(rec.path);
    expect(await readRanges(p, 1000)).toEqual([]);
  });

  it('serializes saves so the latest wins, and leaves no temp file; remove takes it away', async () => {
    const p = partial();
    const rec = new RangesRecord(p, 100);
    const saves = [rec.save([[0, 1]]), rec.save([[0, 2]]), rec.save([[0, 3]])];
    await Promise.all(saves);
    expect(await readRanges(p, 100)).toEqual([[0, 3]]);
    await rec.save([[0, 50]]);
    expect(await readRanges(p, 100)).toEqual([[0, 50]]);
    expect(fs.readdirSync(path.dirname(p))).toEqual([path.basename(rec.path)]);
    await rec.remove();
    expect(await readRanges(p, 100)).toBeNull();
  });
});
