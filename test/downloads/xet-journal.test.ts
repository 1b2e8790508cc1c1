/** The Xet journal beside a partial: round trip, a record of another file or a bent one resumes nothing, the classic reader still sees its spans. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readRanges, rangesPathOf } from '../../src-main/downloads/range-state';
import { readXetProgress, XetJournal } from '../../src-main/downloads/xet-journal';
import { tmpDir } from '../helpers/tmp';
import { transferXet } from '../../src-main/downloads/xet-transfer';
import { fakeHub, hubHttp } from '../helpers/hub';
import { xetRequest } from '../helpers/xet-transfer';
import { mixedXetContent, XET_FILE, XET_REPO, xetRepo } from '../fakehub/xet/fixtures';

const HASH = 'a'.repeat(64);

describe('XetJournal', () => {
  it('records ranges by chunk, read back by the Xet road, with spans the classic road reads', async () => {
    const partial = path.join(tmpDir(), `${'b'.repeat(64)}.0001.incomplete`);
    fs.writeFileSync(partial, '');
    const j = new XetJournal(partial, 1000, HASH);
    const lengths = [100, 200];
    j.progress('0:x:0:0', 1, 108, lengths, () => [[0, 100]], 100);
    await j.settled();
    j.save([[0, 100]]);
    const back = await readXetProgress(partial, 1000, HASH);
    // Only the consistent point is saved (one chunk), though the list had grown.
    expect(back.get('0:x:0:0')).toEqual({ n: 1, k: 108, l: [100] });
    expect(await readRanges(partial, 1000)).toEqual([[0, 100]]);
    expect((await readXetProgress(partial, 1000, 'c'.repeat(64))).size).toBe(0);
    expect((await readXetProgress(partial, 999, HASH)).size).toBe(0);
  });

  it('drops entries that do not hold together, and a record that is not one', async () => {
    const partial = path.join(tmpDir(), 'p.incomplete');
    const ranges = { good: { n: 1, k: 9, l: [1] }, short: { n: 2, k: 9, l: [1] }, huge: { n: 1, k: 9, l: [1 << 20] }, neg: { n: 1, k: -1, l: [1] } };
    fs.writeFileSync(rangesPathOf(partial), JSON.stringify({ v: 1, size: 10, done: [], xet: { hash: HASH, ranges } }));
    expect([...(await readXetProgress(partial, 10, HASH)).keys()]).toEqual(['good']);
    fs.writeFileSync(rangesPathOf(partial), '{not json');
    expect((await readXetProgress(partial, 10, HASH)).size).toBe(0);
  });

  it('saves off the main thread, one at a time, the last written state winning; settled() waits for the last', async () => {
    const dir = tmpDir();
    const partial = path.join(dir, 'p.incomplete');
    const size = 50 * 1000;
    const j = new XetJournal(partial, size, HASH);
    const lengths: number[] = [];
    // The first call saves (nothing saved yet), the next ones come within 10 ms (not due), the last ends the file (always due).
    for (let n = 1; n <= 50; n++) {
      lengths.push(1000);
      j.progress('r', n, n * 1008, lengths, () => [[0, n * 1000]], n * 1000);
    }
    // Nothing written synchronously.
    expect(fs.existsSync(rangesPathOf(partial))).toBe(false);
    await j.settled();
    expect((await readXetProgress(partial, size, HASH)).get('r')).toEqual({ n: 50, k: 50 * 1008, l: lengths });
    expect(await readRanges(partial, size)).toEqual([[0, size]]);
    // Only the record: no temp file left behind.
    expect(fs.readdirSync(dir)).toEqual([path.basename(rangesPathOf(partial))]);
  });

  it('a large file’s saves stay a small share of its bytes, and never leave 1 % of it unsaved', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // 2 GiB in 512 ranges of 64 chunks of 64 KiB, written in order at 64 MB/s (1 ms a chunk),
      // each save finished before the next chunk (a drain that keeps up).
      const chunk = 64 << 10;
      const ranges = 512;
      const size = ranges * 64 * chunk;
      const partial = path.join(tmpDir(), 'p.incomplete');
      const j = new XetJournal(partial, size, HASH);
      let total = 0;
      let worstUnsaved = 0;
      for (let r = 0; r < ranges; r++) {
        const lengths: number[] = [];
        for (let n = 1; n <= 64; n++) {
          lengths.push(chunk - r);
          total += chunk;
          vi.advanceTimersByTime(1);
          j.progress(`0:${r}`, n, n * (chunk / 2), lengths, () => [[0, total]], total);
          worstUnsaved = Math.max(worstUnsaved, total - j.stats.savedBytes);
          await j.settled();
        }
      }
      // The record ends near 240 KB, and each save serializes all of it: saved every MiB, that was
      // 10 % of the file in JSON.
      expect(j.stats.lastBytes).toBeGreaterThan(200_000);
      expect(j.stats.serialized / size).toBeLessThan(0.025);
      expect(worstUnsaved / size).toBeLessThan(0.01);
      // What it saved is the record JSON.stringify would write, every range in it.
      const back = await readXetProgress(partial, size, HASH);
      expect(back.size).toBe(ranges);
      expect(back.get('0:511')).toEqual({ n: 64, k: 64 * (chunk / 2), l: Array.from({ length: 64 }, () => chunk - 511) });
      expect(await readRanges(partial, size)).toEqual([[0, size]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a transfer that stops saves it at once with every byte it wrote, none lost to the save throttle, counted once', async () => {
    const content = mixedXetContent();
    const hub = await fakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: 1 << 20 } });
    const req = xetRequest(hub, XET_REPO, XET_FILE, content);
    const partial = path.join(tmpDir(), `${req.sha256}.0001.incomplete`);
    const fh = await fs.promises.open(partial, 'w+');
    const journal = new XetJournal(partial, req.size, req.xetHash);
    journal.save([]);
    const stop = new AbortController();
    let written = 0;
    const onBytes = (d: number) => ((written += d) > content.size / 3 ? stop.abort() : undefined);
    const run = transferXet(hubHttp(hub), fh, req, { signal: stop.signal, hashOffThread: false, sleep: async () => {}, journal, onBytes });
    await expect(run).rejects.toThrow();
    await journal.settled();
    await fh.close();
    const spans = (await readRanges(partial, req.size)) ?? [];
    expect(written).toBeGreaterThan(content.size / 3);
    expect(spans.reduce((n, [a, b]) => n + b - a, 0)).toBe(written);
  });
});
