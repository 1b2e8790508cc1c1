/**
 * Xet chunk writes (xet-chunk-writes.ts): chunks that land end to end go down in one write, those
 * queued while a write runs join the next; anything else (a chunk at two places, a clipped one, a
 * gap) is written alone at each place. Each chunk's `written` runs after its bytes are on disk, in
 * order; a failure or a stop writes nothing more and is what settled() rejects with.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChunkWrites, takeRun, writeRun, type PendingChunk } from '../../src-main/downloads/xet-chunk-writes';
import { tmpDir } from '../helpers/tmp';

const chunk = (at: number, length: number, extra: Partial<PendingChunk> = {}): PendingChunk => ({
  parts: [Buffer.alloc(length, at % 251)],
  length,
  places: [{ at, from: at, to: at + length }],
  written: () => {},
  ...extra,
});

describe('takeRun', () => {
  it('takes chunks end to end, and stops at a gap, a chunk at two places, a clipped one or 4 MiB', () => {
    const q = [chunk(0, 10), chunk(10, 5), chunk(15, 5), chunk(30, 5)];
    expect(takeRun(q).map((c) => c.places[0]?.at)).toEqual([0, 10, 15]);
    expect(takeRun(q).map((c) => c.places[0]?.at)).toEqual([30]);
    expect(q).toEqual([]);

    const twice = chunk(10, 5, {
      places: [
        { at: 10, from: 10, to: 15 },
        { at: 40, from: 40, to: 45 },
      ],
    });
    const clipped = chunk(20, 5, { places: [{ at: 20, from: 22, to: 25 }] });
    const q2 = [chunk(5, 5), twice, chunk(15, 5), clipped, chunk(25, 5)];
    expect(takeRun(q2)).toHaveLength(1);
    expect(takeRun(q2)).toEqual([twice]);
    expect(takeRun(q2)).toHaveLength(1);
    expect(takeRun(q2)).toEqual([clipped]);

    const big = Array.from({ length: 80 }, (_, i) => chunk(i * 65536, 65536));
    expect(takeRun(big)).toHaveLength(64);
  });
});

describe('ChunkWrites', () => {
  async function file() {
    const p = path.join(tmpDir(), 'f.incomplete');
    return { p, fh: await fs.promises.open(p, 'w+') };
  }

  it('joins the chunks queued while a write runs, writes every place of the others, and calls back in order', async () => {
    const { p, fh } = await file();
    const runs: number[] = [];
    const done: number[] = [];
    const w = new ChunkWrites(async (run) => {
      runs.push(run.length);
      await writeRun(fh, run);
    }, new AbortController().signal);
    const at = [0, 100, 200, 300];
    for (const a of at) w.push(chunk(a, 100, { written: () => done.push(a) }));
    // A chunk at two places, each written.
    w.push(
      chunk(400, 50, {
        places: [
          { at: 400, from: 400, to: 450 },
          { at: 450, from: 450, to: 500 },
        ],
        written: () => done.push(400),
      }),
    );
    expect(w.queued).toBe(450);
    await w.settled();
    await fh.close();
    // The first alone (nothing else was queued yet), the next three together, the one at two places alone.
    expect(runs).toEqual([1, 3, 1]);
    expect(done).toEqual([0, 100, 200, 300, 400]);
    expect(w.queued).toBe(0);
    const bytes = fs.readFileSync(p);
    expect(bytes).toHaveLength(500);
    for (const a of at) expect(bytes.subarray(a, a + 100).every((b) => b === a % 251)).toBe(true);
    expect(bytes.subarray(450).every((b) => b === 400 % 251)).toBe(true);
  });

  it('writes nothing after a failure or a stop, and settled() says why', async () => {
    const written: number[] = [];
    const failing = new ChunkWrites(async (run) => {
      if (run[0]?.places[0]?.at === 100) throw new Error('disk full');
    }, new AbortController().signal);
    for (const a of [0, 100, 200]) failing.push(chunk(a, 100, { written: () => written.push(a) }));
    await expect(failing.settled()).rejects.toThrow('disk full');
    expect(failing.failed).toBe(true);
    failing.push(chunk(300, 100, { written: () => written.push(300) }));
    await expect(failing.settled()).rejects.toThrow('disk full');
    expect(written).toEqual([0]);

    const stop = new AbortController();
    const stopped = new ChunkWrites(async () => stop.abort(new Error('paused')), stop.signal);
    for (const a of [0, 100]) stopped.push(chunk(a, 100, { written: () => written.push(a) }));
    await expect(stopped.settled()).rejects.toThrow('paused');
    expect(written).toEqual([0, 0]);
  });

  it('gives every chunk’s bytes back: after its written(), or dropped on a failure, a stop or a push after them', async () => {
    const events: string[] = [];
    const tracked = (a: number) => chunk(a, 100, { written: () => events.push(`written ${a}`), release: () => events.push(`release ${a}`) });
    const ok = new ChunkWrites(async () => {}, new AbortController().signal);
    for (const a of [0, 100]) ok.push(tracked(a));
    await ok.settled();
    expect(events).toEqual(['written 0', 'release 0', 'written 100', 'release 100']);

    events.length = 0;
    // The first write fails with chunk 0 in it and 300 queued behind it; 400 comes after the failure.
    let calls = 0;
    const failing = new ChunkWrites(async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('disk full');
    }, new AbortController().signal);
    failing.push(tracked(0));
    failing.push(tracked(300));
    await expect(failing.settled()).rejects.toThrow('disk full');
    failing.push(tracked(400));
    expect(calls).toBe(1);
    expect(events.sort()).toEqual(['release 0', 'release 300', 'release 400']);

    events.length = 0;
    const stop = new AbortController();
    stop.abort(new Error('paused'));
    const stopped = new ChunkWrites(async () => {}, stop.signal);
    stopped.push(tracked(0));
    await expect(stopped.settled()).rejects.toThrow('paused');
    expect(events).toEqual(['release 0']);

    events.length = 0;
    // A written() that throws still gives its chunk back.
    const throwing = new ChunkWrites(async () => {}, new AbortController().signal);
    throwing.push(
      chunk(0, 100, {
        written: () => {
          throw new Error('bookkeeping');
        },
        release: () => events.push('release 0'),
      }),
    );
    await expect(throwing.settled()).rejects.toThrow('bookkeeping');
    expect(events).toEqual(['release 0']);
  });
});
