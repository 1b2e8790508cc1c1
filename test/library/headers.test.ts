import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FormatError, type ReadAt } from '../../src-main/library/format-error';
import { GGUF_LIMITS, readGgufHeader, summarizeGguf } from '../../src-main/library/gguf-header';
import { readSafetensorsHeader } from '../../src-main/library/safetensors-header';
import { sampleGguf } from '../fixtures/gguf-writer';

/** A ReadAt over a buffer that records the largest read, to prove reads stay bounded. */
function over(buf: Buffer) {
  const stats = { maxRead: 0 };
  const readAt: ReadAt = async (offset, length) => {
    stats.maxRead = Math.max(stats.maxRead, length);
    return buf.subarray(offset, offset + length);
  };
  return { readAt, stats };
}

async function gguf(buf: Buffer) {
  return readGgufHeader(over(buf).readAt, buf.length);
}

function safetensors(header: object | string, dataBytes: number): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(dataBytes)]);
}

async function expectFormatError(p: Promise<unknown>, problem?: string) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FormatError);
  if (problem) expect((e as FormatError).problem).toBe(problem);
}

describe('GGUF header', () => {
  it('reads metadata, tensors and a summary', async () => {
    const h = await gguf(sampleGguf({ fileType: 15, name: 'Tiny' }));
    expect(h.version).toBe(3);
    expect(h.tensors).toHaveLength(3);
    expect(h.metadata['tokenizer.ggml.tokens']).toEqual({ array: { type: 8, length: 300 } });
    expect(summarizeGguf(h)).toEqual({ architecture: 'llama', name: 'Tiny', parameters: 96, quantization: 'Q4_K_M', contextLength: 4096, tensorCount: 3 });
  });

  it('names what is wrong: not GGUF, unsupported version, truncated', async () => {
    await expectFormatError(gguf(Buffer.from('PK\x03\x04 a zip file')), 'NOT_GGUF');
    const v9 = Buffer.from(sampleGguf());
    v9.writeUInt32LE(9, 4);
    await expectFormatError(gguf(v9), 'UNSUPPORTED_VERSION');
    await expectFormatError(gguf(sampleGguf().subarray(0, 100)), 'TRUNCATED');
  });

  it('refuses absurd counts and lengths before allocating anything', async () => {
    const huge = Buffer.from(sampleGguf());
    huge.writeBigUInt64LE(BigInt(1e15), 8); // tensor count
    await expectFormatError(gguf(huge), 'TOO_LARGE');
    const longKey = Buffer.from(sampleGguf());
    longKey.writeBigUInt64LE(BigInt(2) ** BigInt(62), 24); // first key length
    const { readAt, stats } = over(longKey);
    await expectFormatError(readGgufHeader(readAt, longKey.length));
    expect(stats.maxRead).toBeLessThanOrEqual(1 << 20);
  });

  it('throws only FormatError on every truncation of a valid file', async () => {
    const full = sampleGguf({ tensors: 2 });
    const header = await gguf(full);
    for (let cut = 0; cut < header.headerBytes; cut += 7) await expectFormatError(gguf(full.subarray(0, cut)));
  });

  it('throws only FormatError on random and mutated bytes (fuzz)', async () => {
    const base = sampleGguf({ tensors: 2 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), async (edits) => {
        const buf = Buffer.from(base);
        for (const [at, v] of edits) buf[at] = v;
        const { readAt, stats } = over(buf);
        try {
          await readGgufHeader(readAt, buf.length);
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
        }
        return stats.maxRead <= Math.max(1 << 20, GGUF_LIMITS.maxString);
      }),
      { numRuns: 400, seed: 42 },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        const buf = Buffer.concat([Buffer.from('GGUF'), Buffer.from(bytes)]);
        try {
          await gguf(buf);
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
        }
      }),
      { numRuns: 400, seed: 7 },
    );
  });
});

describe('safetensors header', () => {
  it('reads tensors, metadata and the parameter count', async () => {
    const buf = safetensors(
      { __metadata__: { format: 'pt' }, a: { dtype: 'F16', shape: [2, 3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [1], data_offsets: [12, 16] } },
      16,
    );
    const h = await readSafetensorsHeader(over(buf).readAt, buf.length);
    expect(h.parameters).toBe(7);
    expect(h.metadata).toEqual({ format: 'pt' });
    expect(h.tensors.map((t) => t.name)).toEqual(['a', 'b']);
  });

  it('names what is wrong', async () => {
    const read = (b: Buffer) => readSafetensorsHeader(over(b).readAt, b.length);
    await expectFormatError(read(Buffer.from('abc')), 'TRUNCATED');
    const absurd = Buffer.alloc(16);
    absurd.writeBigUInt64LE(BigInt(2) ** BigInt(60));
    await expectFormatError(read(absurd), 'TOO_LARGE');
    await expectFormatError(read(safetensors('[1,2]', 0)), 'NOT_SAFETENSORS');
    await expectFormatError(read(safetensors('{"a": ', 0)), 'CORRUPT');
    await expectFormatError(read(safetensors({ a: { dtype: 'F16', shape: [4], data_offsets: [0, 8] } }, 4)), 'CORRUPT');
    await expectFormatError(
      read(safetensors({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, b: { dtype: 'F16', shape: [2], data_offsets: [2, 6] } }, 6)),
      'CORRUPT',
    );
    await expectFormatError(read(safetensors({ a: { dtype: 'Q9', shape: [1], data_offsets: [0, 1] } }, 1)), 'CORRUPT');
  });

  it('throws only FormatError on fuzzed input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.jsonValue(), async (bytes, json) => {
        for (const buf of [Buffer.from(bytes), safetensors(JSON.stringify(json) ?? 'null', bytes.length % 64)]) {
          try {
            await readSafetensorsHeader(over(buf).readAt, buf.length);
          } catch (e) {
            if (!(e instanceof FormatError)) throw e;
          }
        }
      }),
      { numRuns: 400, seed: 3 },
    );
  });
});
