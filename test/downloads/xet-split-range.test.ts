/**
 * A large xorb range over several connections (xet-split-range.ts): on a link capped per
 * connection a 12 MiB file held in one xorb travels as parallel blocks, handed to the decoder in
 * order (the file is right, byte for byte), within the transfer's connection count; a cut block
 * resumes at the chunk the decoder reached; a small range keeps its single request; alone on a
 * link that caps nothing a range's connection holds at most one block ahead of its reader; and a
 * file of many xorbs opens more ranges at once once the link shows it caps each connection.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConnectionBudget } from '../../src-main/downloads/connection-controller';
import type { XetTransferOptions } from '../../src-main/downloads/xet-transfer';
import type { XorbSlots } from '../../src-main/downloads/xet-slots';
import { openXorbRanges } from '../../src-main/downloads/xet-split-range';
import { CasClient } from '../../src-main/xet/cas-client';
import { XetTokenSource } from '../../src-main/xet/token';
import { buildRepo } from '../fakehub/model';
import { regionReplaced } from '../fakehub/xet/delta';
import { noiseContent } from '../fakehub/xet/fixtures';
import type { FakeHub } from '../fakehub/server';
import { fakeHub, hubHttp } from '../helpers/hub';
import { transferInto, xetRequest } from '../helpers/xet-transfer';

const MiB = 1 << 20;
/** Slots with no budget of connections shared with other downloads. */
const unbounded = { extra: () => true, extraDone: () => undefined };
const size = 12 * MiB;
const content = noiseContent('split-range', size);
const bytes = content.read(0, size);

async function hub(): Promise<FakeHub> {
  return fakeHub({
    repos: [buildRepo({ id: 'acme/split', commits: [{ files: { 'w.bin': content } }] })],
    storageHost: '127.0.0.2',
    xet: { compression: 'none' },
  });
}

async function run(h: FakeHub, connections: number, onConnections?: (n: number) => void, extra: Partial<XetTransferOptions> = {}) {
  return transferInto(h, xetRequest(h, 'acme/split', 'w.bin', content), { connections, ...(onConnections ? { onConnections } : {}), ...extra });
}

/** The Xet file `w.bin` of a repo on the fakehub, and its read-token route. */
function xetFile(h: FakeHub, id: string) {
  const repo = h.repos.get(`model:${id}`);
  const commit = repo?.commits[0];
  const entry = commit?.files.get('w.bin');
  const x = repo && entry ? h.xet?.fileOf(repo, entry) : undefined;
  if (!x || !commit) throw new Error('no Xet file');
  return { x, refreshUrl: `${h.url}/api/models/${id}/xet-read-token/${commit.sha}` };
}

/** The first xorb range the CAS plans for a repo's `w.bin` of `length` bytes, its signed URL, and a signal. */
async function firstRange(h: FakeHub, id: string, length: number) {
  const { x, refreshUrl } = xetFile(h, id);
  const cas = new CasClient(new XetTokenSource(hubHttp(h), refreshUrl), {});
  const signal = new AbortController().signal;
  const plan = await cas.plan(x.hash, { start: 0, end: length }, length, signal);
  const fetched = plan.fetches[0];
  const range = fetched?.ranges[0];
  if (!fetched || !range) throw new Error('no fetch entry');
  return { url: fetched.url, range, signal };
}

const xorbGets = (h: FakeHub) => (h.xet?.cas.log ?? []).filter((q) => q.url.startsWith('/xorbs/'));

describe('large xorb ranges', () => {
  it('travel as parallel blocks in order, within the connection count, and land right', async () => {
    const h = await hub();
    h.link.set({ perConnection: 4e6 });
    const seen: number[] = [];
    const { r, file } = await run(h, 4, (n) => seen.push(n));
    expect(r.xetHash).toBe('matched');
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    // One xorb (the file and its chunk headers): a first 4 MiB block that shows the link caps a
    // connection, the rest cut to 1 MiB blocks, up to four at once, never more.
    const gets = xorbGets(h);
    const stored = [...(h.xet?.cas.store.xorbs.values() ?? [])].reduce((n, x) => n + x.size, 0);
    expect(new Set(gets.map((q) => q.url.split('?')[0])).size).toBe(1);
    expect(gets.length).toBe(1 + Math.ceil((stored - 4 * MiB) / MiB));
    expect(Math.max(...seen)).toBeGreaterThan(1);
    expect(Math.max(...seen)).toBeLessThanOrEqual(4);
    expect(seen.at(-1)).toBe(0);
  });

  it('fetch two large runs of one xorb (an updated file) as ranges of their own, each split, not one multi-range answer', async () => {
    // Runs of ~10 MiB: each above the two 4 MiB blocks a range must span to be split before the link is judged.
    const old = noiseContent('split-runs', 20 * MiB);
    const next = regionReplaced(old, 10 * MiB + 4321, 256 << 10);
    const h = await fakeHub({
      repos: [buildRepo({ id: 'acme/split', commits: [{ files: { 'w.bin': old } }, { files: { 'w.bin': next } }] })],
      storageHost: '127.0.0.2',
      xet: { compression: 'none' },
    });
    h.link.set({ perConnection: 4e6 });
    const { file } = await transferInto(h, xetRequest(h, 'acme/split', 'w.bin', next, 1), { connections: 8 });
    expect(fs.readFileSync(file).equals(next.read(0, next.size))).toBe(true);
    const gets = xorbGets(h);
    expect(gets.some((q) => (q.headers.range ?? '').includes(','))).toBe(false);
    // The old xorb's two runs came in blocks over several connections.
    const perXorb = new Map<string, number>();
    for (const q of gets) perXorb.set(q.url.split('?')[0] as string, (perXorb.get(q.url.split('?')[0] as string) ?? 0) + 1);
    expect(Math.max(...perXorb.values())).toBeGreaterThan(6);
  });

  it('resumes a cut block at the chunk the decoder reached, not from the range start', async () => {
    const h = await hub();
    h.xet?.cas.faults.add({ kind: 'drop', afterBytes: 5 * MiB + 12345 });
    const { file } = await run(h, 1);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    const sent = xorbGets(h).reduce((n, q) => n + (q.bytes ?? 0), 0);
    // The file (plus chunk headers) once, plus at most a chunk and a block dropped ahead.
    expect(sent).toBeLessThan(size + 5 * MiB);
  });

  it('gives bodies of one kind one prototype, so the read loop sees one map per kind, not one per request', async () => {
    const h = await hub();
    const { url, range, signal } = await firstRange(h, 'acme/split', size);
    const slots: XorbSlots = { max: 8, inUse: 0, ...unbounded, waiting: () => 0 };
    const small = { start: range.bytes.start, end: range.bytes.start + MiB - 1 };
    const plain = [await openXorbRanges(url, [small], { signal, slots }), await openXorbRanges(url, [small], { signal, slots })];
    const split = [await openXorbRanges(url, [range.bytes], { signal, slots }), await openXorbRanges(url, [range.bytes], { signal, slots })];
    // A generator function made per call (a closure) gives each body a prototype, and a map, of its own.
    expect(Object.getPrototypeOf(plain[0]?.res)).toBe(Object.getPrototypeOf(plain[1]?.res));
    expect(Object.getPrototypeOf(split[0]?.res)).toBe(Object.getPrototypeOf(split[1]?.res));
    for (const b of [...plain, ...split]) b.res.destroy();
    await expect.poll(() => slots.inUse).toBe(0);
  });

  it('keeps one request for a range below two blocks', async () => {
    const small = noiseContent('split-small', 6 * MiB);
    const h = await fakeHub({
      repos: [buildRepo({ id: 'acme/split', commits: [{ files: { 'w.bin': small } }] })],
      storageHost: '127.0.0.2',
      xet: { compression: 'none' },
    });
    await transferInto(h, xetRequest(h, 'acme/split', 'w.bin', small), { connections: 8 });
    expect(xorbGets(h).length).toBe(1);
  });

  it('alone on a link that caps nothing, holds at most one block ahead of a reader that has stopped', async () => {
    const big = noiseContent('split-ahead', 40 * MiB);
    const h = await fakeHub({
      repos: [buildRepo({ id: 'acme/ahead', commits: [{ files: { 'w.bin': big } }] })],
      storageHost: '127.0.0.2',
      xet: { compression: 'none' },
    });
    const { url, range, signal } = await firstRange(h, 'acme/ahead', big.size);
    const slots: XorbSlots = { max: 8, inUse: 0, ...unbounded, waiting: () => 0 };
    // capRate 0: never judged capped, however slow this machine reads loopback.
    const body = await openXorbRanges(url, [range.bytes], { signal, slots, capRate: 0 });
    const it = body.res[Symbol.asyncIterator]();
    await it.next();
    // The reader stops at its first bytes: the connection may finish this block and take one more.
    await new Promise((r) => setTimeout(r, 500));
    await expect.poll(() => h.link.open).toBe(0);
    expect(xorbGets(h).length).toBe(2);
    body.res.destroy();
    await it.return?.();
  });

  it('gives its connection and held blocks back when its reader stops early (a corrupt chunk), not only on a failure', async () => {
    const big = noiseContent('split-stop', 40 * MiB);
    const h = await fakeHub({
      repos: [buildRepo({ id: 'acme/stop', commits: [{ files: { 'w.bin': big } }] })],
      storageHost: '127.0.0.2',
      xet: { compression: 'none' },
    });
    const { url, range, signal } = await firstRange(h, 'acme/stop', big.size);
    let held = 0;
    const slots: XorbSlots = { max: 8, inUse: 0, ...unbounded, waiting: () => 0, hold: (n) => ((held += n), true), release: (n) => void (held -= n) };
    const body = await openXorbRanges(url, [range.bytes], { signal, slots, capRate: 0 });
    const it = body.res[Symbol.asyncIterator]();
    await it.next();
    // Its connection takes the next block, reads it whole and waits for the reader to move.
    await expect.poll(() => xorbGets(h).length).toBe(2);
    await expect.poll(() => h.link.open).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(slots.inUse).toBe(1);
    // The decoder throws (as for a corrupt chunk): the reader is returned, never destroyed. The
    // connection waiting for the front to move was never woken, and its slot stayed taken.
    await it.return?.();
    await expect.poll(() => slots.inUse).toBe(0);
    expect(held).toBe(0);
  });

  it('opens more ranges at once when the link caps each connection', async () => {
    const many = noiseContent('split-many', 40 * MiB);
    const h = await fakeHub({
      repos: [buildRepo({ id: 'acme/many', commits: [{ files: { 'w.bin': many } }] })],
      storageHost: '127.0.0.2',
      xet: { compression: 'none', maxXorbBytes: 10 * MiB },
    });
    h.link.set({ perConnection: 8e6 });
    expect(h.xet?.cas.store.xorbs.size).toBeGreaterThanOrEqual(3);
    const seen: number[] = [];
    const data = many.read(0, many.size);
    const { file } = await transferInto(h, xetRequest(h, 'acme/many', 'w.bin', many), {
      connections: 6,
      firstConnections: 1,
      onConnections: (n) => seen.push(n),
    });
    expect(fs.readFileSync(file).equals(data)).toBe(true);
    // One range at first; past its first 100 ms at 8 MB/s the other xorbs opened beside it (their
    // requests interleave with the first's), never more than six requests at once.
    const order = xorbGets(h).map((q) => q.url.split('?')[0]);
    const first = order[0];
    expect(order.indexOf(order.find((u) => u !== first) ?? '')).toBeLessThan(order.lastIndexOf(first ?? ''));
    expect(Math.max(...seen)).toBeLessThanOrEqual(6);
  });

  it('opens more ranges at once on a capped link also when no range is large enough to split', async () => {
    // Xorbs of 1.5 MiB: no range ever splits, so only plain requests can judge the link.
    const many = noiseContent('split-small-xorbs', 12 * MiB);
    const h = await fakeHub({
      repos: [buildRepo({ id: 'acme/small-xorbs', commits: [{ files: { 'w.bin': many } }] })],
      storageHost: '127.0.0.2',
      xet: { compression: 'none', maxXorbBytes: 1.5 * MiB },
    });
    h.link.set({ perConnection: 4e6 });
    const seen: number[] = [];
    const data = many.read(0, many.size);
    const { file } = await transferInto(h, xetRequest(h, 'acme/small-xorbs', 'w.bin', many), {
      connections: 6,
      firstConnections: 1,
      onConnections: (n) => seen.push(n),
    });
    expect(fs.readFileSync(file).equals(data)).toBe(true);
    // One request per xorb (nothing split), yet up to six at once after the first 100 ms, not one.
    const gets = xorbGets(h).map((q) => q.url.split('?')[0]);
    expect(new Set(gets).size).toBe(gets.length);
    expect(Math.max(...seen)).toBeGreaterThan(1);
    expect(Math.max(...seen)).toBeLessThanOrEqual(6);
  });

  it('a plain request judges the link on its first 100 ms, and a fast whole answer takes a capped judgement back', async () => {
    const small = noiseContent('split-plain', 1 * MiB);
    const h = await fakeHub({
      repos: [buildRepo({ id: 'acme/plain', commits: [{ files: { 'w.bin': small } }] })],
      storageHost: '127.0.0.2',
      xet: { compression: 'none' },
    });
    const { url, range, signal } = await firstRange(h, 'acme/plain', small.size);
    const length = range.bytes.end - range.bytes.start + 1;
    const read = async (slots: XorbSlots, capRate?: number, pauseMs = 0) => {
      let got = 0;
      const body = await openXorbRanges(url, [range.bytes], { signal, slots, ...(capRate ? { capRate } : {}) });
      for await (const buf of body.res) {
        // A reader that stops after its first buffer (a disk that stalls): its wait is not the link's.
        if (got === 0 && pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
        got += buf.length;
      }
      return got;
    };
    const tally = { capped: 0, uncapped: 0 };
    const slots = (capped: boolean): XorbSlots => ({
      max: 4,
      inUse: 0,
      ...unbounded,
      waiting: () => 0,
      capped,
      onCapped: () => tally.capped++,
      onUncapped: () => tally.uncapped++,
    });
    // Loopback, judged afresh: all of it within 100 ms, or fast: nothing said. (Mark 0.1 MB/s: a
    // loaded machine would have to stall the first 64 KiB for 650 ms to look capped.)
    expect(await read(slots(false), 1e5)).toBe(length);
    expect(tally).toEqual({ capped: 0, uncapped: 0 });
    // A reader that keeps the second buffer waiting 1.5 s: at 128 KiB in 1.5 s the link would look
    // capped at this mark, but the wait was the reader's.
    expect(await read(slots(false), 1e5, 1500)).toBe(length);
    expect(tally).toEqual({ capped: 0, uncapped: 0 });
    // Loopback told it is capped (mark 1 MB/s: any machine beats twice it): the whole answer takes it back.
    expect(await read(slots(true), 1e6)).toBe(length);
    expect(tally).toEqual({ capped: 0, uncapped: 1 });
    // 1 MB/s per connection: capped, said once.
    h.link.set({ perConnection: 1e6 });
    expect(await read(slots(false))).toBe(length);
    expect(tally).toEqual({ capped: 1, uncapped: 1 });
  });

  it('on a capped link keeps every allowed connection busy within the budget (1 MiB blocks, not 4)', async () => {
    const big = noiseContent('split-wide', 40 * MiB);
    const h = await fakeHub({
      repos: [buildRepo({ id: 'acme/split', commits: [{ files: { 'w.bin': big } }] })],
      storageHost: '127.0.0.2',
      xet: { compression: 'none' },
    });
    h.link.set({ perConnection: 4e6 });
    const data = big.read(0, big.size);
    const seen: number[] = [];
    const { file } = await transferInto(h, xetRequest(h, 'acme/split', 'w.bin', big), { connections: 16, onConnections: (n) => seen.push(n) });
    expect(fs.readFileSync(file).equals(data)).toBe(true);
    // Bodies open at once on the server: with 4 MiB blocks the 32 MiB held-ahead budget stopped at
    // the front and 8 more (9 connections).
    expect(h.link.maxOpen).toBe(16);
    expect(Math.max(...seen)).toBeLessThanOrEqual(16);
  });

  it('starts a range in capped-size blocks once the transfer knows the link caps a connection', async () => {
    const h = await hub();
    h.link.set({ perConnection: 8e6 });
    const { url, range, signal } = await firstRange(h, 'acme/split', size);
    const slots: XorbSlots = { max: 4, inUse: 0, ...unbounded, waiting: () => 0, capped: true };
    const body = await openXorbRanges(url, [range.bytes], { signal, slots });
    let got = 0;
    for await (const buf of body.res) got += buf.length;
    const length = range.bytes.end - range.bytes.start + 1;
    expect(got).toBe(length);
    // No 4 MiB block to judge the link on: every request is 1 MiB (the last the rest).
    const gets = xorbGets(h);
    expect(gets.length).toBe(Math.ceil(length / MiB));
    expect(gets.every((q) => (q.bytes ?? 0) <= MiB)).toBe(true);
  });

  it('splits a range under two first-size blocks once the link is known to cap connections', async () => {
    const small = noiseContent('split-small', 6 * MiB);
    const h = await fakeHub({
      repos: [buildRepo({ id: 'acme/split', commits: [{ files: { 'w.bin': small } }] })],
      storageHost: '127.0.0.2',
      xet: { compression: 'none' },
    });
    h.link.set({ perConnection: 8e6 });
    const { url, range, signal } = await firstRange(h, 'acme/split', small.size);
    const slots: XorbSlots = { max: 4, inUse: 0, ...unbounded, waiting: () => 0, capped: true };
    const body = await openXorbRanges(url, [range.bytes], { signal, slots });
    for await (const buf of body.res) void buf;
    // A retried remainder or a middle-sized term: one request at one connection's rate before.
    expect(xorbGets(h).length).toBe(Math.ceil((range.bytes.end - range.bytes.start + 1) / MiB));
  });

  it('takes back a capped judgement a whole block proves wrong (a loaded machine, not the link)', async () => {
    const h = await hub();
    const { url, range, signal } = await firstRange(h, 'acme/split', size);
    let uncapped = 0;
    // Told the link is capped, on loopback that caps nothing (capRate 1 MB/s: any block beats twice it).
    const slots: XorbSlots = { max: 4, inUse: 0, ...unbounded, waiting: () => 0, capped: true, onUncapped: () => uncapped++ };
    const body = await openXorbRanges(url, [range.bytes], { signal, slots, capRate: 1e6 });
    let got = 0;
    for await (const buf of body.res) got += buf.length;
    const length = range.bytes.end - range.bytes.start + 1;
    expect(got).toBe(length);
    expect(uncapped).toBe(1);
    // The blocks no connection had taken went back to 4 MiB: at most the 1 MiB blocks already in
    // flight (one per connection) and the rest in 4 MiB, not one request per MiB.
    expect(xorbGets(h).length).toBeLessThanOrEqual(slots.max + Math.ceil(length / (4 * MiB)));
    expect(xorbGets(h).length).toBeLessThan(Math.ceil(length / MiB));
  });

  it('holds blocks fetched ahead of the reader within the transfer’s budget, and gives it all back', async () => {
    const h = await hub();
    h.link.set({ perConnection: 8e6 });
    const { url, range, signal } = await firstRange(h, 'acme/split', size);
    let held = 0;
    let most = 0;
    let refused = 0;
    const budget = 4 * MiB;
    const slots: XorbSlots = {
      max: 4,
      inUse: 0,
      ...unbounded,
      waiting: () => 0,
      hold: (n) => {
        if (held + n > budget) return (refused++, false);
        held += n;
        most = Math.max(most, held);
        return true;
      },
      release: (n) => void (held -= n),
    };
    const body = await openXorbRanges(url, [range.bytes], { signal, slots });
    let got = 0;
    for await (const buf of body.res) got += buf.length;
    expect(got).toBe(range.bytes.end - range.bytes.start + 1);
    // One block ahead at most (the budget), others turned away, and nothing still held at the end.
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(budget);
    expect(refused).toBeGreaterThan(0);
    expect(held).toBe(0);
  });
});

describe('the connections all downloads share', () => {
  it('takes each xorb connection past the file’s first from the shared budget, and gives it back', async () => {
    const counts: number[] = [];
    for (const max of [2, 40]) {
      const h = await hub();
      h.link.set({ perConnection: 8e6 });
      const budget = new ConnectionBudget(max);
      const { file } = await run(h, 16, undefined, { budget });
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
      expect(budget.inUse).toBe(0);
      counts.push(h.link.maxOpen);
    }
    // Two beyond the first, where the same transfer with room opens more.
    expect(counts[0]).toBeLessThanOrEqual(3);
    expect(counts[1]).toBeGreaterThan(3);
  });
});
