/**
 * A Xet file whose content comes back in a later plan window (xet-written-chunks.ts): the repeat is
 * copied from where the earlier window wrote it instead of fetched again, whether it repeats whole
 * terms or a run inside one; the file is verified as ever; and bytes not yet on disk are no source.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readXetProgress, XetJournal } from '../../src-main/downloads/xet-journal';
import { transferXet } from '../../src-main/downloads/xet-transfer';
import { WrittenChunks } from '../../src-main/downloads/xet-written-chunks';
import { bufferContent, type Content } from '../fakehub/content';
import { buildRepo } from '../fakehub/model';
import { mixedXetContent, noiseContent, XET_FILE, XET_REPO, xetRepo } from '../fakehub/xet/fixtures';
import { fakeHub, hubHttp } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';
import { transferInto, xetRequest } from '../helpers/xet-transfer';

const MiB = 1 << 20;

describe('WrittenChunks', () => {
  const term = { xorb: 'x', start: 10, end: 14, unpacked: 100, offset: 1000 };
  const lengths = [10, 20, 30, 40];
  const all = () => true;
  const chunks = () => {
    const w = new WrittenChunks();
    w.add(term, lengths);
    return w;
  };

  it('finds a whole term, its head, its tail, and a run inside it from the chunk lengths', () => {
    const w = chunks();
    const at = (a: number, length: number) => [{ at: a, length }];
    expect(w.locate('x', 10, 14, 100, all)).toEqual({ from: at(1000, 100), lengths });
    expect(w.locate('x', 10, 12, 30, all)).toEqual({ from: at(1000, 30), lengths: [10, 20] });
    expect(w.locate('x', 12, 14, 70, all)).toEqual({ from: at(1030, 70), lengths: [30, 40] });
    expect(w.locate('x', 11, 13, 50, all)).toEqual({ from: at(1010, 50), lengths: [20, 30] });
  });

  it('stitches a run across the pieces of a term a window edge cut, and across terms elsewhere', () => {
    const w = new WrittenChunks();
    // One term cut by a window edge: chunks 0..2 in the first window, 2..5 in the next (chunk 2 twice).
    w.add({ xorb: 'x', start: 0, end: 3, unpacked: 30, offset: 0 }, [10, 10, 10]);
    w.add({ xorb: 'x', start: 2, end: 5, unpacked: 30, offset: 20 }, [10, 10, 10]);
    // Chunks 5..7 elsewhere in the file.
    w.add({ xorb: 'x', start: 5, end: 7, unpacked: 10, offset: 500 }, [4, 6]);
    expect(w.locate('x', 1, 5, 40, all)).toEqual({ from: [{ at: 10, length: 40 }], lengths: [10, 10, 10, 10] });
    expect(w.locate('x', 3, 7, 30, all)).toEqual({
      from: [
        { at: 30, length: 20 },
        { at: 500, length: 10 },
      ],
      lengths: [10, 10, 4, 6],
    });
    expect(w.locate('x', 3, 8, 40, all)).toBeNull();
  });

  it('gives nothing for another xorb, chunks it does not hold, a length that disagrees, or a term not all on disk', () => {
    const w = chunks();
    expect(w.locate('y', 10, 14, 100, all)).toBeNull();
    expect(w.locate('x', 9, 12, 30, all)).toBeNull();
    expect(w.locate('x', 11, 13, 49, all)).toBeNull();
    const asked: [number, number][] = [];
    const none = (from: number, to: number) => (asked.push([from, to]), false);
    expect(w.locate('x', 10, 14, 100, none)).toBeNull();
    // Only the bytes the run would be copied from are asked about.
    expect(asked).toEqual([[1000, 1100]]);
    expect(w.locate('x', 11, 13, 50, (from, to) => from >= 1010 && to <= 1060)).toEqual({ from: [{ at: 1010, length: 50 }], lengths: [20, 30] });
  });
});

async function repoHub(id: string, content: Content) {
  return fakeHub({ repos: [buildRepo({ id, commits: [{ files: { 'w.bin': content } }] })], storageHost: '127.0.0.2', xet: { compression: 'none' } });
}
const xorbBytes = (hub: Awaited<ReturnType<typeof repoHub>>) =>
  (hub.xet?.cas.log ?? []).filter((q) => q.url.startsWith('/xorbs/')).reduce((n, q) => n + (q.bytes ?? 0), 0);

describe('a Xet file that repeats itself across plan windows', () => {
  it('copies a repeat of whole terms from the window that wrote them: nothing travels twice', async () => {
    // ~5.4 MiB whose first MiB (random) and its text come back later: in one window the CAS plan's
    // shared ranges fetch them once; in 1 MiB windows they are copied from the earlier windows.
    const content = mixedXetContent();
    const bytes = content.read(0, content.size);
    const one = await fakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: MiB } });
    const whole = await transferInto(one, xetRequest(one, XET_REPO, XET_FILE, content));
    const many = await fakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: MiB } });
    const windowed = await transferInto(many, xetRequest(many, XET_REPO, XET_FILE, content), { windowBytes: MiB });
    expect(fs.readFileSync(windowed.file).equals(bytes)).toBe(true);
    expect(windowed.r.xetHash).toBe('matched');
    // Window edges cost a chunk or two each (the term cut by an edge is fetched in both windows,
    // as hf_xet does); the repeated megabyte and more never travel again.
    expect(whole.r.repeatedBytes).toBeGreaterThan(MiB);
    expect(windowed.r.repeatedBytes).toBeGreaterThan(MiB);
    expect(windowed.r.bytesFetched - whole.r.bytesFetched).toBeLessThan(MiB / 2);
  });

  it('copies a run from inside an earlier term, found by the chunk lengths the decoder saw', async () => {
    const x = noiseContent('written-x', MiB).read(0, MiB);
    const content = bufferContent(Buffer.concat([x, noiseContent('written-y', MiB).read(0, MiB), x.subarray(300_000, 800_000)]));
    const hub = await repoHub('acme/inside', content);
    const { r, file } = await transferInto(hub, xetRequest(hub, 'acme/inside', 'w.bin', content), { windowBytes: MiB });
    expect(fs.readFileSync(file).equals(content.read(0, content.size))).toBe(true);
    expect(r.xetHash).toBe('matched');
    // The run's first and last chunks are cut anew (they begin and end inside the old ones); the
    // chunks between are the old term's and come from the file.
    expect(r.repeatedBytes).toBeGreaterThan(200_000);
    expect(xorbBytes(hub)).toBeLessThan(content.size - r.repeatedBytes + (64 << 10));
  });

  it('after a stop, copies the repeat again from what the journal says the stopped run wrote', async () => {
    const content = mixedXetContent();
    const hub = await fakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: MiB } });
    const req = xetRequest(hub, XET_REPO, XET_FILE, content);
    const file = path.join(tmpDir(), 'blob.incomplete');
    // As xet-blob.ts runs it: the journal beside the partial, read back by the next run.
    const run = async (stopAt = Infinity) => {
      const resume = await readXetProgress(file, req.size, req.xetHash);
      const journal = new XetJournal(file, req.size, req.xetHash);
      if (resume.size === 0) journal.save([]);
      const stop = new AbortController();
      const fh = await fs.promises.open(file, fs.existsSync(file) ? 'r+' : 'w+');
      const onBytes = (_: number, done: number) => void (done >= stopAt && stop.abort());
      const opts = { signal: stop.signal, hashOffThread: false, sleep: async () => {}, windowBytes: MiB, journal, resume, onBytes, connections: 2 };
      return transferXet(hubHttp(hub), fh, req, opts).finally(async () => {
        await journal.settled();
        await fh.close();
      });
    };
    // Stopped in the third window: the random megabyte that opens the file is on disk, its repeat (from 3.8 MiB) is not.
    await expect(run(2.5 * MiB)).rejects.toThrow();
    const before = xorbBytes(hub);
    const r = await run();
    expect(fs.readFileSync(file).equals(content.read(0, content.size))).toBe(true);
    expect(r.xetHash).toBe('matched');
    expect(r.resumedBytes).toBeGreaterThan(2 * MiB);
    expect(r.repeatedBytes).toBeGreaterThan(MiB);
    expect(xorbBytes(hub) - before).toBeLessThan(content.size - r.resumedBytes - MiB);
  });
});
