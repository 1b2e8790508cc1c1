/**
 * Compressed chunks decoded off the thread (xet/decode-pool.ts): batches packed, decoded by real
 * workers run from source, and unpacked, giving the bytes and chunk hashes decoding here gives; a
 * chunk that does not decode keeps its kind; a worker that dies fails only what it held. Batches
 * go through the shared arena, given back as chunks are released, or moved when it has no room.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compressFrameSync } from 'lz4-napi';
import { afterEach, describe, expect, it } from 'vitest';
import { sourceWorker } from '../../src-main/base/source-worker';
import { ChunkFramer, decodeFramed, MAX_CHUNK_BYTES, type FramedChunk } from '../../src-main/xet/chunk-format';
import { newSharedMemory, sharedChunkWasm, WRITE_SLACK, type SharedMemory, type WasmCode } from '../../src-main/xet/chunk-decode-wasm';
import {
  batchHeaders,
  copyStored,
  decodedSize,
  decodeInArena,
  decodePacked,
  inputSpanSize,
  outputSpanSize,
  packBatch,
  scratchOffset,
  storedOffsets,
  storedSize,
  unpackDecoded,
  type ArenaMessage,
  type DecodeReply,
  type DecodeRequest,
} from '../../src-main/xet/decode-batch';
import { DecodePool, sharedDecodePool, useXetDecodeWorker, type HashedChunk } from '../../src-main/xet/decode-pool';
import { XetDataError } from '../../src-main/xet/errors';
import { chunkHash } from '../../src-main/xet/hashes';
import { chunkHeader, encodeChunk, type CompressionPolicy } from '../fakehub/xet/xorbs';

function serialize(data: Buffer, policy: CompressionPolicy): Buffer {
  const { scheme, payload } = encodeChunk(data, policy);
  const stored = payload ?? data;
  return Buffer.concat([chunkHeader(scheme, stored.length, data.length), stored]);
}

const text = (n: number) => Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(n / 45))).subarray(0, n);
function floats(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i + 4 <= n; i += 4) b.writeFloatLE(Math.sin((i + seed) / 1000) * 0.01, i);
  return b;
}

// Odd lengths, so each chunk's output ends off a word boundary and the next must be realigned.
const originals = [floats(40_003, 1), text(30_001), randomBytes(5000), floats(65_537, 7), text(999), floats(131_072, 3)];
const policies: CompressionPolicy[] = ['bg4', 'lz4', 'none', 'bg4', 'lz4', 'bg4'];
const stream = Buffer.concat(originals.map((d, i) => serialize(d, policies[i] as CompressionPolicy)));

/** The chunks of `stream`, framed from socket-sized pieces (views across buffer edges). */
function frames(bytes: Buffer = stream): FramedChunk[] {
  const f = new ChunkFramer();
  const out: FramedChunk[] = [];
  for (let i = 0; i < bytes.length; i += 4096) out.push(...f.push(bytes.subarray(i, i + 4096)));
  f.end();
  return out;
}

const fromSource = () => sourceWorker(new URL('../../src-main/xet/decode-worker.ts', import.meta.url).pathname);

let pools: DecodePool[] = [];
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});
const pool = (start: () => Worker = fromSource, size = 2, arenaBytes?: number, arenaIdleMs?: number) => {
  const p = new DecodePool(start, size, arenaBytes, arenaIdleMs);
  pools.push(p);
  return p;
};

describe('decode batches', () => {
  it('pack, decode and unpack give the chunks and hashes that decoding here gives, each 8-byte aligned', () => {
    const compressed = frames().filter((f) => f.header.scheme !== 0);
    expect(new Set(compressed.map((f) => f.header.scheme))).toEqual(new Set([1, 2]));
    const batch = packBatch(compressed);
    const { out, hashes } = decodePacked(batch, (c) => chunkHash(c));
    const chunks = unpackDecoded(compressed, batch.headers, out, hashes);
    const expected = originals.filter((_, i) => policies[i] !== 'none');
    expect(chunks.map((c) => Buffer.concat(c.parts).equals(expected[chunks.indexOf(c)] as Buffer))).toEqual(expected.map(() => true));
    for (const c of chunks) {
      expect(c.hash).toEqual(chunkHash(c.parts));
      expect((c.parts[0] as Buffer).byteOffset % 8).toBe(0);
    }
  });

  it('a chunk that does not decompress keeps its kind', () => {
    const [f] = frames(serialize(text(20_000), 'lz4'));
    const bad = { ...(f as FramedChunk), stored: [Buffer.alloc((f as FramedChunk).header.compressedLength, 0x55)] };
    expect(() => decodePacked(packBatch([bad]), null)).toThrow(XetDataError);
  });

  it('lays each chunk’s stored bytes out so that most of them keep their address mod 8 (word copies into shared memory)', () => {
    // Socket-sized pieces at odd offsets: most chunks arrive in two pieces that disagree mod 8.
    const f = new ChunkFramer();
    const compressed: FramedChunk[] = [];
    for (let i = 0; i < stream.length; i += 4093) compressed.push(...f.push(Buffer.from(stream.subarray(i, i + 4093))));
    const batch = compressed.filter((c) => c.header.scheme !== 0);
    const headers = batchHeaders(batch);
    const { offsets, total } = storedOffsets(headers);
    expect(total).toBe(storedSize(headers));
    let before = 0;
    batch.forEach((c, i) => {
      const at = offsets[i] as number;
      // After the previous chunk, 0–7 bytes on.
      expect(at - before).toBeGreaterThanOrEqual(0);
      expect(at - before).toBeLessThan(8);
      // Bytes per residue of (target - source): the layout's residue 0 holds the most of any.
      const byResidue = [0, 0, 0, 0, 0, 0, 0, 0];
      let into = at;
      for (const p of c.stored) {
        const r = (((into - p.byteOffset) % 8) + 8) % 8;
        byResidue[r] = (byResidue[r] as number) + p.length;
        into += p.length;
      }
      expect(byResidue[0], `chunk ${i}`).toBe(Math.max(...byResidue));
      before = at + c.header.compressedLength;
    });
    expect(batch.some((c) => c.stored.length > 1)).toBe(true);
    // Decoded from that layout, the bytes are the chunks'.
    const packed = packBatch(batch);
    const { out } = decodePacked(packed, null);
    expect(unpackDecoded(batch, packed.headers, out, null).map((c) => Buffer.concat(c.parts))).toEqual(originals.filter((_, i) => policies[i] !== 'none'));
  });

  /** A batch's stored bytes put at `inAt` of a fresh shared memory, the rest of it 0xa5, and its request. */
  function inArena(compressed: FramedChunk[], inAt: number, outAt: number) {
    const memory = newSharedMemory(2 << 20) as SharedMemory;
    const code = sharedChunkWasm(memory) as WasmCode;
    code.bytes.fill(0xa5);
    const headers = batchHeaders(compressed);
    const inLen = storedSize(headers);
    copyStored(compressed, headers, code.bytes.subarray(inAt, inAt + inLen));
    return { memory, code, batch: { headers, inAt, inLen, scratchAt: inAt + scratchOffset(inLen), outAt } };
  }

  it('in the arena, the workers’ wasm decodes a batch where it lies: the same bytes and hashes, nothing written outside its spans', () => {
    const compressed = frames().filter((f) => f.header.scheme !== 0);
    const { memory, code, batch } = inArena(compressed, 100_003, 1_000_001);
    const stored = Buffer.from(code.bytes.subarray(batch.inAt, batch.inAt + batch.inLen));
    const hashes = decodeInArena(code, batch, (c) => chunkHash(c));
    const chunks = unpackDecoded(compressed, batch.headers, memory.buffer, hashes, { at: batch.outAt, release: () => {} });
    const packed = packBatch(compressed);
    const here = decodePacked(packed, (c) => chunkHash(c));
    const expected = unpackDecoded(compressed, packed.headers, here.out, here.hashes);
    expect(chunks.map((c) => Buffer.concat(c.parts))).toEqual(expected.map((c) => Buffer.concat(c.parts)));
    expect(chunks.map((c) => c.hash)).toEqual(expected.map((c) => c.hash));
    // The stored bytes are as they were; outside the two spans every byte is too.
    expect(code.bytes.subarray(batch.inAt, batch.inAt + batch.inLen).equals(stored)).toBe(true);
    const untouched = (from: number, to: number) => code.bytes.subarray(from, to).equals(Buffer.alloc(to - from, 0xa5));
    const inEnd = batch.inAt + inputSpanSize(batch.headers);
    const outEnd = batch.outAt + outputSpanSize(batch.headers);
    expect(untouched(0, batch.inAt)).toBe(true);
    expect(untouched(inEnd, batch.outAt)).toBe(true);
    expect(untouched(outEnd, code.bytes.length)).toBe(true);
    // The spans are no larger than their contents and the room the wasm needs.
    expect(inputSpanSize(batch.headers)).toBe(scratchOffset(batch.inLen) + MAX_CHUNK_BYTES + WRITE_SLACK);
    const lz4Only = batchHeaders(compressed.filter((f) => f.header.scheme === 1));
    expect(outputSpanSize(lz4Only)).toBe(decodedSize(lz4Only) + WRITE_SLACK);
    expect(inputSpanSize(lz4Only)).toBe(scratchOffset(storedSize(lz4Only)));
  });

  it('in the arena, frames the block loop does not take go to the frame decoder, in shared memory too', () => {
    const data = text(50_000);
    const checksummed = compressFrameSync(data, { contentChecksum: true });
    const frame: FramedChunk = {
      header: { compressedLength: checksummed.length, scheme: 1, uncompressedLength: data.length },
      stored: [checksummed],
      bytes: 8 + checksummed.length,
    };
    const { code, batch } = inArena([frame], 1003, 300_000);
    decodeInArena(code, batch, null);
    expect(code.bytes.subarray(batch.outAt, batch.outAt + data.length).equals(data)).toBe(true);
  });

  it('in the arena, a chunk that does not decode keeps its kind and writes nothing outside its spans; a batch placed wrongly is refused', () => {
    const [f] = frames(serialize(text(20_000), 'lz4'));
    const bad = { ...(f as FramedChunk), stored: [Buffer.alloc((f as FramedChunk).header.compressedLength, 0x55)] };
    const one = inArena([bad], 0, 500_000);
    expect(() => decodeInArena(one.code, one.batch, null)).toThrow(expect.objectContaining({ name: 'XetDataError', problem: 'chunk-size' }));
    const outEnd = one.batch.outAt + outputSpanSize(one.batch.headers);
    const inEnd = inputSpanSize(one.batch.headers);
    expect(one.code.bytes.subarray(inEnd, one.batch.outAt).equals(Buffer.alloc(one.batch.outAt - inEnd, 0xa5))).toBe(true);
    expect(one.code.bytes.subarray(outEnd).equals(Buffer.alloc(one.code.bytes.length - outEnd, 0xa5))).toBe(true);
    // A valid chunk whose last frame ends where the block loop's loads would read past the memory.
    const [ok] = frames(serialize(text(1000), 'lz4'));
    const edge = inArena([ok as FramedChunk], 0, 100_000);
    const inAt = edge.code.bytes.length - scratchOffset(edge.batch.inLen);
    const last = { ...edge.batch, inAt, scratchAt: inAt + scratchOffset(edge.batch.inLen) };
    expect(() => decodeInArena(edge.code, last, null)).toThrow(/does not fit the arena/);
    const good = inArena(
      frames().filter((f) => f.header.scheme !== 0),
      0,
      400_000,
    );
    const wrong = [
      { ...good.batch, outAt: 100 }, // over the input
      { ...good.batch, scratchAt: good.batch.scratchAt - 8 }, // over the stored bytes
      { ...good.batch, outAt: good.code.bytes.length - 1000 }, // past the memory
      { ...good.batch, inLen: good.batch.inLen - 1 },
    ];
    for (const batch of wrong) expect(() => decodeInArena(good.code, batch, null)).toThrow(/arena|overlap/);
  });
});

describe('DecodePool', () => {
  it('decodes in workers what decoding here decodes, stored chunks passed through, batches in any number at once', async () => {
    const p = pool();
    const all = frames();
    const here = all.map((f) => Buffer.concat(decodeFramed(f).parts));
    const answers = await Promise.all(Array.from({ length: 12 }, () => p.decode(all)));
    for (const chunks of answers) {
      expect(chunks.map((c) => Buffer.concat(c.parts))).toEqual(here);
      chunks.forEach((c, i) => expect(c.hash, `chunk ${i}`).toEqual(all[i]?.header.scheme === 0 ? null : chunkHash(c.parts)));
      // Stored chunks are the very views they arrived in.
      expect(chunks[2]?.parts).toBe(all[2]?.stored);
    }
    expect(p.workers).toBe(2);
  });

  it('decodes into the shared arena, each batch’s span given back once all its chunks are released', async () => {
    const p = pool();
    const all = frames();
    const [a, b] = await Promise.all([p.decode(all), p.decode(all)]);
    const inArena = (c: HashedChunk) => (c.parts[0] as Buffer).buffer instanceof SharedArrayBuffer;
    for (const chunks of [a, b] as HashedChunk[][]) {
      expect(chunks.map((c) => Buffer.concat(c.parts))).toEqual(originals);
      expect(chunks.map(inArena)).toEqual(all.map((f) => f.header.scheme !== 0));
    }
    // Each worker's wasm decoded its batch where the arena holds it.
    expect(p.batchesInPlace).toBe(2);
    const held = p.arenaInUse;
    expect(held).toBeGreaterThan(0);
    // A chunk released twice counts once: the span goes back with the batch's last chunk only.
    const [first, ...rest] = a as HashedChunk[];
    for (let i = 0; i < 10; i++) first?.release?.();
    expect(p.arenaInUse).toBe(held);
    for (const c of rest) c.release?.();
    expect(p.arenaInUse).toBe(held / 2);
    for (const c of (b as HashedChunk[]).slice(1)) c.release?.();
    expect(p.arenaInUse).toBe(held / 2);
    (b as HashedChunk[])[0]?.release?.();
    expect(p.arenaInUse).toBe(0);
  });

  it('a worker given a plain SharedArrayBuffer for its arena (no shared WebAssembly memory) decodes through views of it', async () => {
    const worker = fromSource();
    try {
      const compressed = frames().filter((f) => f.header.scheme !== 0);
      const arena = new SharedArrayBuffer(2 << 20);
      const headers = batchHeaders(compressed);
      const inLen = storedSize(headers);
      copyStored(compressed, headers, Buffer.from(arena, 0, inLen));
      const outAt = 1 << 20;
      const reply = new Promise<DecodeReply>((resolve) => worker.once('message', resolve));
      worker.postMessage({ arena } satisfies ArenaMessage);
      worker.postMessage({ id: 1, headers, inAt: 0, inLen, scratchAt: scratchOffset(inLen), outAt } satisfies DecodeRequest);
      const m = await reply;
      if ('error' in m) throw new Error(m.error.message);
      expect(m.inPlace).toBe(false);
      const chunks = unpackDecoded(compressed, headers, arena, m.hashes, { at: outAt, release: () => {} });
      expect(chunks.map((c) => Buffer.concat(c.parts))).toEqual(originals.filter((_, i) => policies[i] !== 'none'));
    } finally {
      await worker.terminate();
    }
  });

  it('moves a batch whose input fits the arena but whose output does not, giving the input span back', async () => {
    // ~230 bytes of LZ4 that decode to 40 KiB: one page for the input, and no three left for the output.
    const text = Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(900));
    const p = pool(fromSource, 1, 32 << 10);
    const chunks = await p.decode(frames(serialize(text, 'lz4')));
    expect(Buffer.concat(chunks[0]?.parts ?? []).equals(text)).toBe(true);
    expect((chunks[0]?.parts[0] as Buffer).buffer instanceof SharedArrayBuffer).toBe(false);
    expect(p.arenaInUse).toBe(0);
  });

  it('lets an arena unused for a while go, in the workers too, and makes a new one when batches come again', async () => {
    const p = pool(fromSource, 1, 1 << 20, 30);
    const once = await p.decode(frames());
    expect(p.arenaHeld).toBe(true);
    // Not while a chunk still holds its span.
    await new Promise((r) => setTimeout(r, 80));
    expect(p.arenaHeld).toBe(true);
    for (const c of once) c.release?.();
    await expect.poll(() => p.arenaHeld).toBe(false);
    const again = await p.decode(frames());
    expect(again.map((c) => Buffer.concat(c.parts))).toEqual(originals);
    expect((again[0]?.parts[0] as Buffer).buffer instanceof SharedArrayBuffer).toBe(true);
    // The worker's wasm was made again over the new arena.
    expect(p.batchesInPlace).toBe(2);
    for (const c of again) c.release?.();
    expect(p.arenaInUse).toBe(0);
  });

  it('moves a batch over and back in buffers of its own when the arena has no room', async () => {
    const p = pool(fromSource, 1, 16 << 10);
    const chunks = await p.decode(frames());
    expect(chunks.map((c) => Buffer.concat(c.parts))).toEqual(originals);
    expect(chunks.some((c) => (c.parts[0] as Buffer).buffer instanceof SharedArrayBuffer)).toBe(false);
    expect(chunks.every((c) => c.release === undefined)).toBe(true);
    expect(p.batchesInPlace).toBe(0);
    const none = pool(fromSource, 1, 0);
    expect((await none.decode(frames())).map((c) => Buffer.concat(c.parts))).toEqual(originals);
    expect(none.arenaInUse).toBe(0);
  });

  it('a chunk that does not decompress fails its batch as bad data, and the workers go on', async () => {
    const p = pool();
    const [f] = frames(serialize(text(20_000), 'lz4'));
    const bad = { ...(f as FramedChunk), stored: [Buffer.alloc((f as FramedChunk).header.compressedLength, 0x55)] };
    await expect(p.decode([bad])).rejects.toMatchObject({ name: 'XetDataError', problem: 'chunk-size' });
    // Its spans are back.
    expect(p.arenaInUse).toBe(0);
    expect((await p.decode(frames())).length).toBe(originals.length);
  });

  it('a worker that dies fails the batches it held; after two such deaths batches are decoded here', async () => {
    let started = 0;
    const dying = () => {
      started += 1;
      return new Worker('setTimeout(() => process.exit(3), 50)', { eval: true });
    };
    const p = pool(dying, 1);
    await expect(p.decode(frames())).rejects.toThrow(/decode worker stopped/);
    expect(p.arenaInUse).toBe(0);
    await expect(p.decode(frames())).rejects.toThrow(/decode worker stopped/);
    const chunks = await p.decode(frames());
    expect(chunks.map((c) => Buffer.concat(c.parts))).toEqual(originals);
    expect(started).toBe(2);
    expect(p.workers).toBe(0);
  });

  it('a worker that cannot start: batches are decoded here', async () => {
    const p = pool(() => {
      throw new Error('no threads');
    });
    expect((await p.decode(frames())).map((c) => Buffer.concat(c.parts))).toEqual(originals);
  });

  it('the shared pool runs the source when the built worker is missing', async () => {
    useXetDecodeWorker('/nonexistent/xet-decode-worker.js');
    const shared = sharedDecodePool();
    // With a single core there is no pool: chunks are decoded on the download's thread.
    if (availableParallelism() < 2) {
      expect(shared).toBeNull();
      return;
    }
    expect(shared).not.toBeNull();
    expect((await (shared as DecodePool).decode(frames())).map((c) => Buffer.concat(c.parts))).toEqual(originals);
    useXetDecodeWorker(undefined);
  });
});
