/**
 * transferXet against the fake CAS: a Xet file written at its offsets into one temp file and
 * verified (sha256 read back from disk, Xet file hash from the chunks), through every answer the
 * CAS can give: windows, v1 fallback, multi-range, shared ranges, expiry, 429, cut connections, and
 * corrupt bytes that must fail naming the file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { transferXet, type XetTransferOptions, type XetTransferRequest } from '../../src-main/downloads/xet-transfer';
import { HubError } from '../../src-main/hub/errors';
import type { FakeHub } from '../fakehub/server';
import type { XetKnobs } from '../fakehub/xet/knobs';
import { mixedXetContent, noiseContent, XET_FILE, XET_REPO, xetRepo } from '../fakehub/xet/fixtures';
import { buildRepo } from '../fakehub/model';
import { regionReplaced } from '../fakehub/xet/delta';
import { fakeHub, hubHttp } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';
import { transferInto, xetRequest } from '../helpers/xet-transfer';

const content = mixedXetContent();
const bytes = content.read(0, content.size);
const TOKEN = 'hf_alice_read_token_0000000000000000';

function must<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined) throw new Error(`missing: ${what}`);
  return v;
}

async function xetHub(knobs: XetKnobs = {}): Promise<FakeHub> {
  return fakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: 1 << 20, knobs } });
}

const requestFor = (hub: FakeHub): XetTransferRequest => xetRequest(hub, XET_REPO, XET_FILE, content);
const transfer = (hub: FakeHub, extra: Partial<XetTransferOptions> = {}) => transferInto(hub, requestFor(hub), extra, TOKEN);

const cas = (hub: FakeHub) => must(hub.xet, 'xet').cas;
const xorbGets = (hub: FakeHub) => cas(hub).log.filter((q) => q.url.startsWith('/xorbs/'));

describe('transferXet', () => {
  it('writes the file from xorb ranges and verifies it; tokens go only where they belong', async () => {
    const hub = await xetHub();
    const seen: number[] = [];
    const { r, file } = await transfer(hub, { onConnections: (n) => seen.push(n) });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    // Connections are reported as for the classic road: several at once, none at the end.
    expect(Math.max(...seen)).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(0);
    // The repeated megabyte travels once: one range serves two terms.
    expect(r.sharedRanges).toBeGreaterThan(0);
    expect(r.xetHash).toBe('matched');
    // Two disjoint ranges of one xorb went as one multi-range request.
    expect(xorbGets(hub).some((q) => (q.headers.range ?? '').includes(','))).toBe(true);
    // No Authorization on presigned URLs; the CAS saw its own token, never the user's.
    expect(xorbGets(hub).every((q) => q.headers.authorization === undefined && q.status === 206)).toBe(true);
    const plans = cas(hub).log.filter((q) => q.url.startsWith('/v2/reconstructions/'));
    expect(plans.length).toBe(1);
    expect(plans.every((q) => q.headers.authorization?.startsWith('Bearer xet_'))).toBe(true);
    expect(cas(hub).log.some((q) => JSON.stringify(q.headers).includes(TOKEN))).toBe(false);
    // Nothing went through the whole-file bridge.
    expect(hub.log.filter((q) => q.origin === 'cdn')).toEqual([]);
    const fetched = xorbGets(hub).reduce((n, q) => n + (q.bytes ?? 0), 0);
    expect(r.bytesFetched).toBe(fetched);
  });

  it('asks for the plan in windows and falls back to v1 when the CAS has no v2', async () => {
    const hub = await xetHub({ v2Status: 501 });
    const { file } = await transfer(hub, { windowBytes: 1 << 20, connections: 3 });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    const log = cas(hub).log;
    expect(log.filter((q) => q.url.startsWith('/v2/')).length).toBe(1);
    expect(log.filter((q) => q.url.startsWith('/v1/')).length).toBe(Math.ceil(content.size / (1 << 20)));
    expect(log.filter((q) => q.url.startsWith('/v1/')).map((q) => q.headers.range)[1]).toBe(`bytes=${1 << 20}-${(2 << 20) - 1}`);
  });

  it('asks for the next window’s plan while this window’s ranges are still coming', async () => {
    const hub = await xetHub();
    hub.link.set({ perConnection: 2e6 });
    const log = cas(hub).log;
    // Each plan request, as it arrives: how many xorb answers have been sent whole.
    const doneAtPlan: number[] = [];
    const push = log.push.bind(log);
    log.push = (...entries) => {
      for (const e of entries)
        if (/reconstructions/.test(e.url)) doneAtPlan.push(log.filter((q) => q.url.startsWith('/xorbs/') && q.bytes !== undefined).length);
      return push(...entries);
    };
    const { file } = await transfer(hub, { windowBytes: 1 << 20, connections: 2 });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    // The second window's plan was asked for before any of the first window's xorb answers ended
    // (each ~1 MiB at 2 MB/s): a window boundary waits for no plan round trip.
    expect(doneAtPlan.length).toBe(Math.ceil(content.size / (1 << 20)));
    expect(doneAtPlan[1]).toBe(0);
  });

  it('re-plans when a presigned URL has expired, and backs off a 429 or a 5xx', async () => {
    const hub = await xetHub();
    // One xorb each: a request takes every fault that matches it at once.
    const [a, b, c] = [...new Set(must(cas(hub).store.files.get(requestFor(hub).xetHash), 'file').terms.map((t) => t.xorb))];
    cas(hub).faults.add({ kind: 'expire', xorb: must(a, 'xorb'), times: 2 });
    cas(hub).faults.add({ kind: 'status', xorb: must(b, 'xorb'), status: 429, retryAfter: 0 });
    cas(hub).faults.add({ kind: 'status', xorb: must(c, 'xorb'), status: 502 });
    cas(hub).faults.add({ kind: 'status', target: 'reconstruction', status: 503 });
    const slept: number[] = [];
    const { file } = await transfer(hub, { connections: 1, sleep: async (ms) => void slept.push(ms) });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(cas(hub).log.filter((q) => q.url.startsWith('/v2/reconstructions/')).length).toBeGreaterThanOrEqual(3);
    expect(xorbGets(hub).filter((q) => q.status === 403).length).toBe(2);
    expect(xorbGets(hub).filter((q) => q.status === 429).length).toBe(1);
    expect(xorbGets(hub).filter((q) => q.status === 502).length).toBe(1);
    // Waited before each of the three refusals (the 429's Retry-After: 0 included), never for an expiry.
    expect(slept).toHaveLength(3);
  });

  it('asks a fresh read token before the old one expires, and once more when the CAS refuses one', async () => {
    // Tokens that live 59 s are within a minute of expiry when issued: each plan asks a new one.
    const hub = await xetHub({ tokenTtlSec: 59 });
    cas(hub).faults.add({ kind: 'status', target: 'reconstruction', status: 401 });
    const { file } = await transfer(hub, { windowBytes: 1 << 20 });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    const plans = cas(hub).log.filter((q) => q.url.startsWith('/v2/reconstructions/'));
    const tokens = hub.log.filter((r) => r.url.includes('/xet-read-token/'));
    expect(plans.length).toBeGreaterThanOrEqual(Math.ceil(content.size / (1 << 20)) + 1);
    expect(plans.filter((q) => q.status === 401)).toHaveLength(1);
    // One token per plan asked, the refused one's retry included; the user's token only to the Hub.
    expect(tokens.length).toBe(plans.length);
    expect(cas(hub).log.every((q) => !(q.headers.authorization ?? '').includes(TOKEN))).toBe(true);
  });

  it('keeps a long-lived read token for every plan, and asks one more only when the CAS refuses it', async () => {
    const hub = await xetHub();
    cas(hub).faults.add({ kind: 'status', target: 'reconstruction', status: 401 });
    const { file } = await transfer(hub, { windowBytes: 1 << 20 });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(cas(hub).log.filter((q) => q.url.startsWith('/v2/reconstructions/')).length).toBeGreaterThan(3);
    expect(hub.log.filter((r) => r.url.includes('/xet-read-token/'))).toHaveLength(2);
  });

  it('gives up on a storage that refuses every fresh URL instead of re-planning for ever', async () => {
    const hub = await xetHub();
    cas(hub).faults.add({ kind: 'expire', times: Infinity });
    const e = await transfer(hub, { connections: 1, maxRetries: 3 }).catch((err: unknown) => err);
    expect((e as HubError).code).toBe('FORBIDDEN');
    expect((e as HubError).message).toMatch(/refused 4 fresh URLs in a row/);
    expect(xorbGets(hub).filter((q) => q.status === 403).length).toBe(4);
  });

  it('re-plans when every URL of a plan expires at once (as URLs signed together do), each range refused once', async () => {
    const hub = await xetHub();
    const xorbs = new Set(must(cas(hub).store.files.get(requestFor(hub).xetHash), 'file').terms.map((t) => t.xorb));
    for (const xorb of xorbs) cas(hub).faults.add({ kind: 'expire', xorb });
    const { file } = await transfer(hub, { connections: 8, maxRetries: 1 });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(xorbGets(hub).filter((q) => q.status === 403).length).toBe(xorbs.size);
  });

  it('after a re-plan that signs a multi-range group apart, sends each range to its own URL', async () => {
    // b.bin is a.bin with its middle replaced: a.bin's xorb serves b.bin's start and end, two ranges
    // of one xorb that the first plan signs into one URL.
    const a = noiseContent('regroup', 3 << 20);
    const knobs: XetKnobs = {};
    const hub = await fakeHub({
      repos: [buildRepo({ id: 'acme/regroup', commits: [{ files: { 'a.bin': a, 'b.bin': regionReplaced(a, 1 << 20, 256 << 10) } }] })],
      storageHost: '127.0.0.2',
      xet: { compression: 'none', knobs },
    });
    const repo = must(hub.repos.get('model:acme/regroup'), 'repo');
    const commit = must(repo.commits[0], 'commit');
    const entry = must(commit.files.get('b.bin'), 'b.bin');
    const x = must(must(hub.xet, 'xet').fileOf(repo, entry), 'xet file');
    const shared = must(x.terms[0], 'term').xorb;
    expect(x.terms.filter((t) => t.xorb === shared).length).toBe(2);
    // The first plan signs both ranges together; every later one signs each range apart.
    knobs.bendPlan = () => void (knobs.maxRangesPerFetch = 1);
    cas(hub).faults.add({ kind: 'expire', xorb: shared });
    const data = entry.content.read(0, entry.content.size);
    const file = path.join(tmpDir(), 'b.incomplete');
    const fh = await fs.promises.open(file, 'w+');
    await transferXet(
      hubHttp(hub),
      fh,
      {
        xetHash: x.hash,
        refreshUrl: `${hub.url}/api/models/acme/regroup/xet-read-token/${commit.sha}`,
        size: entry.content.size,
        sha256: createHash('sha256').update(data).digest('hex'),
        ctx: { path: 'b.bin' },
      },
      { signal: new AbortController().signal, hashOffThread: false, sleep: async () => {}, connections: 1, maxRetries: 2 },
    ).finally(() => fh.close());
    expect(fs.readFileSync(file).equals(data)).toBe(true);
    const gets = xorbGets(hub).filter((q) => q.url.includes(shared));
    // The expiry, then one request per range, each accepted: no range went to another's URL.
    expect(gets.map((q) => q.status)).toEqual([403, 206, 206]);
    expect(new Set(gets.slice(1).map((q) => q.url)).size).toBe(2);
  });

  it('resumes a cut connection at the chunk it stopped at', async () => {
    const hub = await xetHub({ maxRangesPerFetch: 1 });
    cas(hub).faults.add({ kind: 'drop', afterBytes: 300_000 });
    const { file } = await transfer(hub, { connections: 1 });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    const [cut, resumed] = xorbGets(hub);
    const start = (q: typeof cut) => Number(/bytes=(\d+)-/.exec(q?.headers.range ?? '')?.[1]);
    expect(cut?.url).toBe(resumed?.url);
    expect(start(resumed)).toBeGreaterThan(start(cut));
    // Resumed at a chunk boundary before the cut: less than one chunk travels twice.
    expect(start(resumed)).toBeLessThanOrEqual(300_000);
    expect(300_000 - start(resumed)).toBeLessThan(256 << 10);
  });

  it('honours a stop that comes as the last bytes land: the file is not passed off as finished', async () => {
    const hub = await xetHub();
    const stop = new AbortController();
    const done: number[] = [];
    const run = transfer(hub, { signal: stop.signal, onBytes: (_d, at) => (done.push(at), at === content.size ? stop.abort() : undefined) });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(done.at(-1)).toBe(content.size);
  });

  it('fails naming the file when a xorb byte is flipped; the file is not passed off as good', async () => {
    const hub = await xetHub();
    const x = requestFor(hub);
    const store = cas(hub).store;
    const term = must(must(store.files.get(x.xetHash), 'file').terms[0], 'term');
    const chunk = must(must(store.xorbs.get(term.xorb), 'xorb').chunks[term.start], 'chunk');
    cas(hub).faults.add({ kind: 'corrupt', xorb: term.xorb, offset: chunk.offset + 100, times: Infinity });
    const e = await transfer(hub).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(HubError);
    expect((e as HubError).code).toBe('INTEGRITY');
    expect((e as HubError).message).toContain(XET_FILE);
    expect((e as HubError).message).toContain('its sha256 and its Xet hash did not match');
  });

  it('lets the sha256 decide: a plan whose chunks hash to another Xet hash is reported, the right bytes kept', async () => {
    const hub = await xetHub();
    const x = requestFor(hub);
    const other = 'e'.repeat(64);
    cas(hub).store.files.set(other, must(cas(hub).store.files.get(x.xetHash), 'file'));
    const file = path.join(tmpDir(), 'blob.incomplete');
    const fh = await fs.promises.open(file, 'w+');
    const r = await transferXet(hubHttp(hub), fh, { ...x, xetHash: other }, { signal: new AbortController().signal, hashOffThread: false }).finally(() =>
      fh.close(),
    );
    expect(r.xetHash).toBe('differs');
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refetches a range whose chunk header is damaged, and fails when it stays damaged', async () => {
    const hub = await xetHub();
    const x = requestFor(hub);
    const term = must(must(cas(hub).store.files.get(x.xetHash), 'file').terms[0], 'term');
    cas(hub).faults.add({ kind: 'corrupt', xorb: term.xorb, offset: 0 });
    const { file } = await transfer(hub);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    cas(hub).faults.add({ kind: 'corrupt', xorb: term.xorb, offset: 0, times: Infinity });
    const e = await transfer(hub).catch((err: unknown) => err);
    expect((e as HubError).code).toBe('INTEGRITY');
    expect((e as HubError).message).toMatch(/model\.safetensors arrived damaged from the Xet storage \(a chunk header has version 255/);
  });

  describe('a plan that disagrees with its xorbs fails as damaged data, after one refetch, not as a network fault retried', () => {
    type Range = { chunks: { start: number; end: number }; bytes: { start: number; end: number } };
    type V2 = {
      terms: { hash: string; unpacked_length: number; range: { start: number; end: number } }[];
      xorbs: Record<string, { url: string; ranges: Range[] }[]>;
    };
    const damaged = async (bend: (plan: V2) => void, why: RegExp) => {
      const hub = await xetHub({ bendPlan: (body, version) => version === 2 && bend(body as unknown as V2) });
      const e = await transfer(hub).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(HubError);
      expect((e as HubError).code).toBe('INTEGRITY');
      expect((e as HubError).message).toContain(`${XET_FILE} arrived damaged from the Xet storage`);
      expect((e as HubError).message).toMatch(why);
      return hub;
    };
    const servingOf = (plan: V2, t: V2['terms'][number]) =>
      must(
        plan.xorbs[t.hash]?.flatMap((f) => f.ranges).find((r) => r.chunks.start <= t.range.start && r.chunks.end >= t.range.end),
        'serving range',
      );

    it('a compressed length beyond the body: every byte asked for came and the last chunk is unfinished', async () => {
      const hub = await damaged((plan) => {
        const range = servingOf(plan, must(plan.terms[0], 'term'));
        range.bytes.end -= 10;
      }, /the body ended inside a chunk/);
      // Fetched once more from the range's start, then given up: never retried as a cut connection.
      const first = must(cas(hub).store.files.get(requestFor(hub).xetHash)?.terms[0], 'term');
      expect(xorbGets(hub).filter((q) => q.url.includes(first.xorb)).length).toBeLessThanOrEqual(4);
    });

    it('chunk indices the xorb does not have: the range brought all its bytes and fewer chunks', async () => {
      await damaged((plan) => {
        const last = must(plan.terms.at(-1), 'term');
        const range = servingOf(plan, last);
        if (range.chunks.end === last.range.end) range.chunks.end += 2;
        last.range.end += 2;
        // The range must still end where the term does (nothing past it was signed).
        range.chunks.end = Math.max(range.chunks.end, last.range.end);
      }, /a xorb range held \d+ chunks where the plan says \d+/);
    });

    it('an unpacked length that disagrees with the chunks: told at the chunk that shows it, not after the file', async () => {
      await damaged((plan) => {
        const [a, b] = plan.terms;
        must(a, 'term').unpacked_length -= 1;
        must(b, 'term').unpacked_length += 1;
      }, /a term's chunks hold (over )?\d+ bytes where the reconstruction plan says \d+/);
    });
  });
});
