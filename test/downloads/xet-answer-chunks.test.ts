/**
 * Xet transfers whose compressed chunks are decoded by workers (xet-answer-chunks.ts with a
 * DecodePool): the same file and Xet hash as decoding here; a batch a worker never answered is
 * fetched again from the range's last written chunk (chunks are placed only as they are written);
 * flipped bytes inside compressed chunks still fail the file. Whatever happens, every span of the
 * decode pool's shared arena comes back.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceWorker } from '../../src-main/base/source-worker';
import { HubError } from '../../src-main/hub/errors';
import { XetDataError } from '../../src-main/xet/errors';
import { decodeFramed, type DecodedChunk, type FramedChunk } from '../../src-main/xet/chunk-format';
import { dropRead, readSlabsInUse, takeReadSlab } from '../../src-main/xet/read-slabs';
import { DecodePool, type ChunkDecoder, type HashedChunk } from '../../src-main/xet/decode-pool';
import { AnswerChunks, decoderFor, inlineArenaInUse } from '../../src-main/downloads/xet-answer-chunks';
import type { ChunkWrites } from '../../src-main/downloads/xet-chunk-writes';
import { mixedXetContent, XET_FILE, XET_REPO, xetRepo } from '../fakehub/xet/fixtures';
import { chunkHeader, encodeChunk } from '../fakehub/xet/xorbs';
import { fakeHub } from '../helpers/hub';
import { transferInto, xetRequest } from '../helpers/xet-transfer';

const content = mixedXetContent();
const bytes = content.read(0, content.size);
const pool = new DecodePool(() => sourceWorker(new URL('../../src-main/xet/decode-worker.ts', import.meta.url).pathname), 2);
afterAll(() => pool.close());

/** The pool, counting what it was asked, and failing the batches `fail` picks as a dead worker would. */
function counting(fail: (call: number) => boolean = () => false): ChunkDecoder & { calls: number; compressed: number } {
  const d = {
    calls: 0,
    compressed: 0,
    decode(frames: readonly FramedChunk[]) {
      d.calls += 1;
      d.compressed += frames.filter((f) => f.header.scheme !== 0).length;
      return fail(d.calls) ? Promise.reject(new Error('the Xet decode worker stopped')) : pool.decode(frames);
    },
  };
  return d;
}

async function hub() {
  return fakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: 1 << 20, compression: 'auto' } });
}
const xorbBytes = (h: Awaited<ReturnType<typeof hub>>) =>
  (h.xet?.cas.log ?? []).filter((q) => q.url.startsWith('/xorbs/')).reduce((n, q) => n + (q.bytes ?? 0), 0);

describe('Xet transfers decoded by workers', () => {
  it('write the file and its Xet hash as decoding here does, compressed chunks sent to the workers', async () => {
    const h = await hub();
    const decoder = counting();
    const { r, file } = await transferInto(h, xetRequest(h, XET_REPO, XET_FILE, content), { decoder });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(r.xetHash).toBe('matched');
    expect(decoder.compressed).toBeGreaterThan(10);
    // Every chunk decoded into the shared arena was written and given back.
    expect(pool.arenaInUse).toBe(0);
    const here = await hub();
    const { r: inline } = await transferInto(here, xetRequest(here, XET_REPO, XET_FILE, content), { decoder: null });
    expect(inline.bytesFetched).toBe(r.bytesFetched);
    // Decoded here, into the download thread's arena: every span came back too.
    expect(inlineArenaInUse()).toBe(0);
  });

  it('fetch again, from the range’s last written chunk, what a worker never answered for', async () => {
    const h = await hub();
    const decoder = counting((call) => call === 2);
    const { r, file } = await transferInto(h, xetRequest(h, XET_REPO, XET_FILE, content), { decoder, connections: 1 });
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(r.xetHash).toBe('matched');
    // Only what the failed batch held (and the chunks behind it in its range) travelled again.
    const clean = await hub();
    await transferInto(clean, xetRequest(clean, XET_REPO, XET_FILE, content), { decoder: counting(), connections: 1 });
    expect(xorbBytes(h)).toBeGreaterThan(xorbBytes(clean));
    expect(xorbBytes(h)).toBeLessThan(xorbBytes(clean) + (2 << 20));
    // The batches decoded behind the failed one were never placed; their arena spans came back all the same.
    await expect.poll(() => pool.arenaInUse).toBe(0);
  });

  it('fail the file when a byte inside a compressed chunk is flipped', async () => {
    const h = await hub();
    const x = xetRequest(h, XET_REPO, XET_FILE, content);
    const store = h.xet?.cas.store;
    const compressed = [...(store?.xorbs.entries() ?? [])].flatMap(([xorb, v]) => v.chunks.filter((c) => c.scheme !== 0).map((c) => ({ xorb, c })));
    const target = compressed[0];
    if (!target) throw new Error('no compressed chunk');
    h.xet?.cas.faults.add({ kind: 'corrupt', xorb: target.xorb, offset: target.c.offset + 8 + 40, times: Infinity });
    const e = await transferInto(h, x, { decoder: counting() }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(HubError);
    expect((e as HubError).code).toBe('INTEGRITY');
    expect((e as HubError).message).toContain(XET_FILE);
    await expect.poll(() => pool.arenaInUse).toBe(0);
  });
});

describe('decoderFor', () => {
  const MiB = 1 << 20;
  const cold = Object.assign(counting(), { workers: 0 });
  const warm = Object.assign(counting(), { workers: 1 });
  it('starts the workers for a file of 128 MiB and more, uses running ones from 32 MiB, and none where hashing stays on the thread', () => {
    expect(decoderFor(128 * MiB, true, () => cold)).toBe(cold);
    expect(decoderFor(64 * MiB, true, () => cold)).toBeNull();
    expect(decoderFor(64 * MiB, true, () => warm)).toBe(warm);
    expect(decoderFor(16 * MiB, true, () => warm)).toBeNull();
    expect(decoderFor(1024 * MiB, false, () => warm)).toBeNull();
    expect(decoderFor(1024 * MiB, true, () => null)).toBeNull();
  });

  it('gives back the bytes of decoded chunks it never places: behind a failed batch, or from a chunk that failed to place', async () => {
    const text = Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(1500)).subarray(0, 64 << 10);
    const { scheme, payload } = encodeChunk(text, 'lz4');
    const stored = payload ?? text;
    const chunk = Buffer.concat([chunkHeader(scheme, stored.length, text.length), stored]);
    const writes = { queued: 0, failed: false, settled: () => Promise.resolve() } as unknown as ChunkWrites;
    const run = async (failFirst: boolean, place: (n: number) => void) => {
      const released: number[] = [];
      let calls = 0;
      let n = 0;
      const decoder: ChunkDecoder = {
        decode: (frames) => {
          calls += 1;
          if (failFirst && calls === 1) return new Promise((_, reject) => setTimeout(() => reject(new Error('the Xet decode worker stopped')), 20));
          const first = n;
          n += frames.length;
          return Promise.resolve(frames.map((f, i) => ({ ...decodeFramed(f), hash: null, release: () => released.push(first + i) })));
        },
      };
      let placed = 0;
      const answer = new AnswerChunks(1, decoder, writes, () => place(placed++));
      const error = await (async () => {
        for (let i = 0; i < 24; i++) await answer.feed(0, Buffer.from(chunk));
        await answer.drained();
      })().catch((e: unknown) => e);
      return { error, released: released.sort((a, b) => a - b), decoded: n, placed };
    };
    // The first batch fails after the next one was sent: that one is never placed, and its chunks come back.
    const behind = await run(true, () => {});
    expect(behind.error).toBeInstanceOf(Error);
    expect(behind.decoded).toBeGreaterThan(0);
    expect(behind.placed).toBe(0);
    expect(behind.released).toEqual(Array.from({ length: behind.decoded }, (_, i) => i));
    // The third chunk fails to place: it and every chunk after it come back; the two placed are the writes' to give back.
    const refused = await run(false, (k) => {
      if (k === 2) throw new XetDataError('chunk-size', 'a xorb range held more chunks than the plan says');
    });
    expect(refused.error).toBeInstanceOf(XetDataError);
    expect(refused.released).toEqual(Array.from({ length: refused.decoded - 2 }, (_, i) => i + 2));

    // Decoded here: the chunk that failed to place gives its span back; the two placed hold theirs.
    const held: HashedChunk[] = [];
    const here = new AnswerChunks(1, null, writes, (_, c) => {
      if (held.length === 2) throw new XetDataError('chunk-size', 'a xorb range held more chunks than the plan says');
      held.push(c as HashedChunk);
    });
    await expect(here.feed(0, Buffer.concat([chunk, chunk, chunk]))).rejects.toBeInstanceOf(XetDataError);
    expect(inlineArenaInUse()).toBe(2 * (64 << 10));
    for (const c of held) c.release?.();
    expect(inlineArenaInUse()).toBe(0);
  });

  it('gives back every read slab of an answer that fails, whichever chunk it failed at', async () => {
    const raw = Buffer.alloc(3000, 5);
    const rawChunk = Buffer.concat([chunkHeader(0, raw.length, raw.length), raw]);
    const text = Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(100));
    const { scheme, payload } = encodeChunk(text, 'lz4');
    const lz4Chunk = Buffer.concat([chunkHeader(scheme, (payload as Buffer).length, text.length), payload as Buffer]);
    const writes = { queued: 0, failed: false, settled: () => Promise.resolve() } as unknown as ChunkWrites;
    /** The bytes in a slab of their own, lent as the reader lends them. */
    const feedLent = async (answer: AnswerChunks, bytes: Buffer) => {
      const slab = takeReadSlab();
      try {
        await answer.feed(0, slab.subarray(0, bytes.copy(slab)));
      } finally {
        dropRead(slab);
      }
    };
    const base = readSlabsInUse();

    // Decoded here: the second chunk fails to place; the first is the writes' (released here), the third goes back with the failure.
    const held: DecodedChunk[] = [];
    const here = new AnswerChunks(1, null, writes, (_, c) => {
      if (held.length === 1) throw new XetDataError('chunk-size', 'a xorb range held more chunks than the plan says');
      held.push(c);
    });
    await expect(feedLent(here, Buffer.concat([rawChunk, rawChunk, rawChunk]))).rejects.toBeInstanceOf(XetDataError);
    here.dispose();
    expect(readSlabsInUse()).toBe(base + 1);
    for (const c of held) c.release?.();
    expect(readSlabsInUse()).toBe(base);

    // Batched behind a compressed chunk, and the batch fails: its stored chunks never reach a write, and go back.
    const failing: ChunkDecoder = { decode: () => Promise.reject(new Error('the Xet decode worker stopped')) };
    const batched = new AnswerChunks(1, failing, writes, () => undefined);
    await feedLent(batched, Buffer.concat([lz4Chunk, rawChunk, rawChunk, rawChunk.subarray(0, 100)]));
    await expect(batched.drained()).rejects.toThrow('stopped');
    // And the partial chunk the framer kept goes back when the answer ends.
    batched.dispose();
    expect(readSlabsInUse()).toBe(base);
  });

  it('sends a batch once it decodes to half the write-ahead, so text compressed 4× or more still overlaps decoding and writing', async () => {
    // 64 KiB chunks of text: LZ4 makes each a few KiB, so 256 KiB of stored bytes would decode to several MiB.
    const text = Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(1500)).subarray(0, 64 << 10);
    const { scheme, payload } = encodeChunk(text, 'lz4');
    const stored = payload ?? text;
    expect(stored.length).toBeLessThan(text.length / 8);
    const chunk = Buffer.concat([chunkHeader(scheme, stored.length, text.length), stored]);
    const decoded: number[] = [];
    const decoder: ChunkDecoder = {
      decode: (frames) => {
        decoded.push(frames.reduce((n, f) => n + f.header.uncompressedLength, 0));
        return Promise.resolve(frames.map((f) => ({ ...decodeFramed(f), hash: null })));
      },
    };
    const writes = { queued: 0, failed: false, settled: () => Promise.resolve() } as unknown as ChunkWrites;
    let placed = 0;
    const answer = new AnswerChunks(1, decoder, writes, () => (placed += 1));
    for (let i = 0; i < 64; i++) await answer.feed(0, Buffer.from(chunk));
    await answer.drained();
    expect(placed).toBe(64);
    // 4 MiB of text in batches of 512 KiB decoded, not one or two of several MiB.
    expect(decoded).toEqual(Array.from({ length: 8 }, () => 512 << 10));
  });
});
