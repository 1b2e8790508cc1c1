/**
 * The chunk decoder's WebAssembly (xet/chunk-decode.wat): the embedded bytes are its source, the
 * regions fit the chunk limits, and the LZ4 block loop gives a plain decoder's bytes for every kind
 * of sequence, refuses malformed blocks, and never writes outside a block's output and its slack.
 */
import fs from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { compressSync } from 'lz4-napi';
import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { MAX_CHUNK_BYTES, MAX_COMPRESSED_BYTES } from '../../src-main/xet/chunk-format';
import { regroupAt } from '../../src-main/xet/bg4-regroup';
import {
  CHUNK_DECODE_SHARED_WASM,
  CHUNK_DECODE_WASM,
  chunkWasm,
  FRAME_AT,
  FRAME_BYTES,
  GROUPS_AT,
  newSharedMemory,
  OWN_MEMORY,
  REGION_BYTES,
  SHARED_MEMORY,
  sharedChunkWasm,
  WORDS_AT,
  WRITE_SLACK,
  type ChunkWasm,
  type SharedMemory,
  type WasmCode,
} from '../../src-main/xet/chunk-decode-wasm';
import { bg4Split } from '../fakehub/xet/xorbs';

/** How far past a block's output the 128-bit copies may write. */
const SLACK = 32;
const SENTINEL = 0xa5;

const wasm = (): ChunkWasm => {
  const w = chunkWasm();
  if (!w) throw new Error('no WebAssembly SIMD on this Node');
  return w;
};

/** A plain LZ4 block decoder, a byte at a time: the oracle. Null for a block it finds malformed. */
function reference(block: Uint8Array, dlen: number): Buffer | null {
  const out = Buffer.alloc(dlen);
  let ip = 0;
  let op = 0;
  const more = (n: number): number | null => {
    for (;;) {
      if (ip >= block.length) return null;
      const b = block[ip++] as number;
      n += b;
      if (b !== 255) return n;
    }
  };
  for (;;) {
    if (ip >= block.length) return null;
    const token = block[ip++] as number;
    let lit: number | null = token >> 4;
    if (lit === 15) lit = more(lit);
    if (lit === null || lit > block.length - ip || lit > dlen - op) return null;
    for (let i = 0; i < lit; i++) out[op++] = block[ip++] as number;
    if (ip === block.length) return out.subarray(0, op);
    if (block.length - ip < 2) return null;
    const off = (block[ip] as number) | ((block[ip + 1] as number) << 8);
    ip += 2;
    if (off === 0 || off > op) return null;
    let ml: number | null = token & 15;
    if (ml === 15) ml = more(ml);
    if (ml === null) return null;
    ml += 4;
    if (ml > dlen - op) return null;
    for (let i = 0; i < ml; i++, op++) out[op] = out[op - off] as number;
  }
}

/**
 * Runs the wasm on a block (no size prefix), its output `at` bytes into the groups region, with
 * sentinels around that output and stale bytes after the block: what it wrote and returned.
 */
function run(block: Uint8Array, dlen: number, at = 0): { n: number; out: Buffer } {
  const w = wasm();
  const memory = Buffer.from(w.groups.buffer);
  memory.fill(SENTINEL, GROUPS_AT, FRAME_AT);
  memory.fill(0xee, FRAME_AT);
  w.frame.set(block);
  const n = w.lz4block(FRAME_AT, block.length, GROUPS_AT + at, dlen);
  // Nothing before the output or past its slack is touched (the groups region is followed by the words').
  expect(
    memory.subarray(GROUPS_AT, GROUPS_AT + at).every((b) => b === SENTINEL),
    'a write before the output',
  ).toBe(true);
  const after = memory.subarray(GROUPS_AT + at + dlen + SLACK, FRAME_AT);
  expect(
    after.every((b) => b === SENTINEL),
    `a write past ${dlen} + ${SLACK} bytes`,
  ).toBe(true);
  // Nor the frame it reads.
  expect(Buffer.from(memory.subarray(FRAME_AT, FRAME_AT + block.length)).equals(Buffer.from(block))).toBe(true);
  return { n, out: Buffer.from(memory.subarray(GROUPS_AT + at, GROUPS_AT + at + Math.max(n, 0))) };
}

/** lz4-napi's block, without the decoded size it puts in front. */
const napiBlock = (data: Buffer): Buffer => compressSync(data).subarray(4);

/** Writes an LZ4 length: the token's nibble, then 255s and the rest. */
function lengthBytes(n: number): { nibble: number; extra: number[] } {
  if (n < 15) return { nibble: n, extra: [] };
  const extra: number[] = [];
  let left = n - 15;
  while (left >= 255) {
    extra.push(255);
    left -= 255;
  }
  extra.push(left);
  return { nibble: 15, extra };
}

/** A block by hand: sequences of literals, then a match (`off`, `ml` ≥ 4), the last literals only. */
function blockOf(seqs: { lit: Buffer; off?: number; ml?: number }[]): Buffer {
  const bytes: number[] = [];
  for (const s of seqs) {
    const l = lengthBytes(s.lit.length);
    const m = s.off === undefined ? { nibble: 0, extra: [] } : lengthBytes((s.ml as number) - 4);
    bytes.push((l.nibble << 4) | m.nibble, ...l.extra, ...s.lit);
    if (s.off !== undefined) bytes.push(s.off & 0xff, s.off >> 8, ...m.extra);
  }
  return Buffer.from(bytes);
}

const text = (n: number) => Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(n / 45) + 1)).subarray(0, n);

describe('chunk-decode.wat', () => {
  it('is the embedded wasm, in both builds', async () => {
    const wabt = await wabtInit();
    const source = fs.readFileSync(new URL('../../src-main/xet/chunk-decode.wat', import.meta.url), 'utf8');
    const build = (text: string) =>
      Buffer.from(wabt.parseWat('chunk-decode.wat', text, { simd: true, bulk_memory: true, threads: true }).toBinary({}).buffer).toString('base64');
    const own = build(source);
    expect(CHUNK_DECODE_WASM, `paste into chunk-decode-wasm.ts: '${own}'`).toBe(own);
    expect(source.split(OWN_MEMORY)).toHaveLength(2);
    const shared = build(source.replace(OWN_MEMORY, SHARED_MEMORY));
    expect(CHUNK_DECODE_SHARED_WASM, `paste into chunk-decode-wasm.ts: '${shared}'`).toBe(shared);
  });

  it('the workers’ build decodes and regroups at any address of a shared memory, touching nothing else', () => {
    const memory = newSharedMemory(1 << 20) as SharedMemory;
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const code = sharedChunkWasm(memory) as WasmCode;
    expect(code.bytes.buffer).toBe(memory.buffer);
    const bytes = code.bytes;
    bytes.fill(SENTINEL);
    const data = text(70_001);
    const block = napiBlock(data);
    const src = 700_003;
    bytes.set(block, src);
    const dst = 12_345;
    expect(code.lz4block(src, block.length, dst, data.length)).toBe(data.length);
    expect(bytes.subarray(dst, dst + data.length).equals(data)).toBe(true);
    expect(bytes.subarray(0, dst).every((b) => b === SENTINEL)).toBe(true);
    expect(bytes.subarray(dst + data.length + SLACK, src).every((b) => b === SENTINEL)).toBe(true);
    expect(bytes.subarray(src, src + block.length).equals(block)).toBe(true);
    // Regrouping from there to elsewhere, without spill.
    const grouped = bg4Split(data);
    bytes.set(grouped, 300_001);
    bytes.fill(SENTINEL, 500_000, 600_000);
    regroupAt(code, 300_001, 500_001, grouped.length);
    expect(bytes.subarray(500_001, 500_001 + data.length).equals(data)).toBe(true);
    expect(bytes[500_000]).toBe(SENTINEL);
    expect(bytes.subarray(500_001 + data.length, 600_000).every((b) => b === SENTINEL)).toBe(true);
  });

  it('runs on this Node, with regions for the largest chunk and frame, and room past the frame for reads', () => {
    const w = wasm();
    expect(REGION_BYTES).toBe(MAX_CHUNK_BYTES);
    // What the arena's spans leave room for is what the sentinels below hold the loop to.
    expect(WRITE_SLACK).toBe(SLACK);
    expect(FRAME_BYTES).toBe(MAX_COMPRESSED_BYTES);
    expect(WORDS_AT).toBeGreaterThanOrEqual(GROUPS_AT + REGION_BYTES);
    expect(FRAME_AT).toBeGreaterThanOrEqual(WORDS_AT + REGION_BYTES);
    expect(w.groups.buffer.byteLength).toBeGreaterThanOrEqual(FRAME_AT + FRAME_BYTES + 16);
  });
});

describe('lz4block', () => {
  it('gives lz4-napi’s input back for text, noise, byte-grouped floats, zeros and short periods', () => {
    const floats = Buffer.alloc(MAX_CHUNK_BYTES);
    for (let i = 0; i < floats.length; i += 4) floats.writeFloatLE(Math.sin(i / 900) * 0.02, i);
    const periodic = (period: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i % period) * 7 + 1));
    const cases: Buffer[] = [
      text(1),
      text(15),
      text(16),
      text(17),
      text(300),
      text(MAX_CHUNK_BYTES),
      randomBytes(5000),
      randomBytes(MAX_CHUNK_BYTES),
      bg4Split(floats),
      Buffer.alloc(MAX_CHUNK_BYTES),
    ];
    for (let p = 1; p <= 40; p++) cases.push(periodic(p, 3000 + p));
    for (const data of cases) {
      const { n, out } = run(napiBlock(data), data.length);
      expect(n, `${data.length} bytes`).toBe(data.length);
      expect(out.equals(data)).toBe(true);
    }
  });

  it('takes every copy path: short and long literals, short and long matches, overlapping at short and long periods', () => {
    const lit = (n: number) => randomBytes(n);
    const blocks = [
      blockOf([{ lit: lit(3), off: 3, ml: 4 }, { lit: lit(5) }]), // short literals, overlapping match
      blockOf([{ lit: lit(40), off: 20, ml: 20 }, { lit: lit(1) }]), // a 128-bit match
      blockOf([{ lit: lit(40), off: 17, ml: 32 }, { lit: lit(0) }]), // 128-bit, the second half reading the first
      blockOf([{ lit: lit(300), off: 200, ml: 150 }, { lit: lit(7) }]), // long literals, a long match copied whole
      blockOf([{ lit: lit(2), off: 1, ml: 1000 }, { lit: lit(3) }]), // a run of one byte
      blockOf([{ lit: lit(7), off: 7, ml: 777 }, { lit: lit(3) }]), // a short period, doubled
      blockOf([{ lit: lit(20), off: 18, ml: 400 }, { lit: lit(3) }]), // a long period, overlapping
      blockOf([{ lit: lit(16), off: 16, ml: 33 }, { lit: lit(15), off: 31, ml: 19 }, { lit: lit(14) }]),
      blockOf([{ lit: lit(15 + 255 + 255) }]), // literals only, with two 255s in their length
      blockOf([{ lit: lit(4), off: 4, ml: 4 + 15 + 255 }, { lit: Buffer.alloc(0) }]), // a 255 in a match length
    ];
    for (const [i, block] of blocks.entries()) {
      const want = reference(block, MAX_CHUNK_BYTES);
      expect(want, `block ${i}`).not.toBeNull();
      const { n, out } = run(block, (want as Buffer).length);
      expect(n, `block ${i}`).toBe((want as Buffer).length);
      expect(out.equals(want as Buffer), `block ${i}`).toBe(true);
    }
  });

  it('refuses malformed blocks: -1, and no write past the output’s slack', () => {
    const five = Buffer.from('abcde');
    const bad: [string, Buffer, number][] = [
      ['empty', Buffer.alloc(0), 100],
      ['offset 0', blockOf([{ lit: five, off: 0, ml: 4 }, { lit: five }]), 100],
      ['offset before the output', blockOf([{ lit: five, off: 6, ml: 4 }, { lit: five }]), 100],
      ['literals past the input', Buffer.concat([Buffer.from([0x50]), Buffer.from('abc')]), 100],
      ['literals past the output', blockOf([{ lit: text(40) }]), 39],
      ['match past the output', blockOf([{ lit: five, off: 5, ml: 40 }, { lit: five }]), 44],
      ['literal length cut', Buffer.from([0xf0, 255, 255]), 1000],
      ['match length cut', Buffer.concat([Buffer.from([0x5f]), five, Buffer.from([5, 0, 255])]), 1000],
      ['offset cut', Buffer.concat([Buffer.from([0x50]), five, Buffer.from([5])]), 100],
    ];
    for (const [what, block, dlen] of bad) expect(run(block, dlen).n, what).toBe(-1);
  });

  it('on bent blocks, gives the plain decoder’s verdict and bytes, and stays inside its output and slack', () => {
    // Seeded, so every run bends the same bytes: sha256 of the round number.
    const seeded = (n: number, round: number) => createHash('sha256').update(`${n}:${round}`).digest().subarray(0, n);
    const sources = [text(20_000), bg4Split(Buffer.from(seeded(32, 0).toString('hex').repeat(250))), Buffer.alloc(9000, 7)].map((b) => Buffer.from(b));
    let refused = 0;
    for (let round = 0; round < 600; round++) {
      const data = sources[round % sources.length] as Buffer;
      const block = Buffer.from(napiBlock(data));
      const r = seeded(8, round);
      const at = r.readUInt32LE(0) % block.length;
      const kind = (r[4] as number) % 3;
      if (kind === 0) block[at] = r[5] as number;
      const bent = kind === 1 ? block.subarray(0, at) : block;
      const dlen = kind === 2 ? data.length - ((r[6] as number) % 64) : data.length;
      const want = reference(bent, dlen);
      const { n, out } = run(bent, dlen, (r[7] as number) * 64);
      if (want === null) {
        expect(n, `round ${round}`).toBe(-1);
        refused++;
      } else {
        expect(n, `round ${round}`).toBe(want.length);
        expect(out.equals(want), `round ${round}`).toBe(true);
      }
    }
    expect(refused).toBeGreaterThan(50);
  });
});
