/**
 * A strict GGUF header reader (docs/hub-protocol.md §6.1–6.2) for files we do not trust: every length is
 * checked against the file size and hard limits before anything is allocated, reads are bounded,
 * and the only error is FormatError. Large arrays (tokenizer vocabularies) are walked, not kept.
 * Our own because node-llama-cpp's parser (used for fit estimates) makes no such guarantees.
 */
import { FormatError, type ReadAt } from './format-error';

export type GgufScalar = number | bigint | boolean | string;
export type GgufValue = GgufScalar | { array: { type: number; length: number; values?: GgufScalar[] } };

export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: number;
  offset: bigint;
}

export interface GgufHeader {
  version: number;
  tensorCount: number;
  metadata: Record<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Where tensor data starts. */
  dataOffset: number;
  headerBytes: number;
}

export const GGUF_LIMITS = {
  maxKv: 100_000,
  maxTensors: 1_000_000,
  maxString: 16 << 20,
  maxArray: 50_000_000,
  /** Small arrays are kept (e.g. per-layer head counts); longer ones only counted. */
  keepArrayUpTo: 64,
  maxHeaderBytes: 512 << 20,
  maxDims: 4,
  /**
   * general.alignment: ggml's default is 32 and real files use small powers of two; a larger one
   * only serves to make the tensor data start (and a header-only copy) absurdly far in.
   */
  maxAlignment: 1 << 16,
};

const SCALAR_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** Buffered forward cursor over ReadAt, refusing to run past the file or the header limit. */
class Cursor {
  #buf: Buffer = Buffer.alloc(0);
  #bufStart = 0;
  pos = 0;
  constructor(
    private readonly readAt: ReadAt,
    private readonly size: number,
    private readonly maxHeaderBytes: number,
  ) {}

  #check(n: number): void {
    if (n < 0 || !Number.isSafeInteger(n)) throw new FormatError('CORRUPT', 'A length in the header is not a valid number.');
    if (this.pos + n > this.size) throw new FormatError('TRUNCATED', 'The file ends inside its header: it is truncated or not a complete GGUF.');
    if (this.pos + n > this.maxHeaderBytes) throw new FormatError('TOO_LARGE', 'The GGUF header is implausibly large.');
  }

  async need(n: number): Promise<void> {
    this.#check(n);
    const have = this.#bufStart + this.#buf.length - this.pos;
    if (this.pos >= this.#bufStart && have >= n) return;
    const want = Math.min(this.size - this.pos, Math.max(n, 1 << 20));
    const chunk = await this.readAt(this.pos, want);
    if (chunk.length < n) throw new FormatError('TRUNCATED', 'The file ends inside its header.');
    this.#buf = chunk;
    this.#bufStart = this.pos;
  }

  async bytes(n: number): Promise<Buffer> {
    await this.need(n);
    const at = this.pos - this.#bufStart;
    this.pos += n;
    return this.#buf.subarray(at, at + n);
  }

  async u32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0);
  }

  async u64(): Promise<bigint> {
    return (await this.bytes(8)).readBigUInt64LE(0);
  }

  /** A u64 count, bounded by `max` before it is used for anything. */
  async count(max: number, what: string): Promise<number> {
    const v = await this.u64();
    if (v > BigInt(max)) throw new FormatError('TOO_LARGE', `The header claims ${v} ${what}, more than any real model has.`);
    return Number(v);
  }

  async string(): Promise<string> {
    const len = await this.count(GGUF_LIMITS.maxString, 'bytes in a string');
    return (await this.bytes(len)).toString('utf8');
  }

  /** Moves past n bytes without reading them (a long numeric array is only counted). */
  skip(n: number): Promise<void> {
    this.#check(n);
    this.pos += n;
    return Promise.resolve();
  }
}

async function readScalar(c: Cursor, type: number): Promise<GgufScalar> {
  const b = await c.bytes(SCALAR_SIZE[type] as number);
  switch (type) {
    case 0:
      return b.readUInt8(0);
    case 1:
      return b.readInt8(0);
    case 2:
      return b.readUInt16LE(0);
    case 3:
      return b.readInt16LE(0);
    case 4:
      return b.readUInt32LE(0);
    case 5:
      return b.readInt32LE(0);
    case 6:
      return b.readFloatLE(0);
    case 7:
      return b.readUInt8(0) !== 0;
    case 10:
      return b.readBigUInt64LE(0);
    case 11:
      return b.readBigInt64LE(0);
    default:
      return b.readDoubleLE(0);
  }
}

async function readValue(c: Cursor, type: number, depth = 0): Promise<GgufValue> {
  if (type === 8) return c.string();
  if (type in SCALAR_SIZE) return readScalar(c, type);
  if (type === 9) {
    if (depth > 0) throw new FormatError('CORRUPT', 'Nested arrays are not valid in a GGUF header.');
    const elemType = await c.u32();
    const length = await c.count(GGUF_LIMITS.maxArray, 'array elements');
    const keep = length <= GGUF_LIMITS.keepArrayUpTo;
    const values: GgufScalar[] = [];
    if (elemType === 8) {
      for (let i = 0; i < length; i++) {
        const s = await c.string();
        if (keep) values.push(s);
      }
    } else if (elemType in SCALAR_SIZE) {
      if (keep) for (let i = 0; i < length; i++) values.push(await readScalar(c, elemType));
      else await c.skip(length * (SCALAR_SIZE[elemType] as number));
    } else {
      throw new FormatError('CORRUPT', `Unknown array element type ${elemType} in the GGUF header.`);
    }
    return { array: { type: elemType, length, ...(keep ? { values } : {}) } };
  }
  throw new FormatError('CORRUPT', `Unknown value type ${type} in the GGUF header.`);
}

export async function readGgufHeader(readAt: ReadAt, size: number, opts: { maxHeaderBytes?: number } = {}): Promise<GgufHeader> {
  try {
    const c = new Cursor(readAt, size, Math.min(opts.maxHeaderBytes ?? GGUF_LIMITS.maxHeaderBytes, GGUF_LIMITS.maxHeaderBytes));
    if (size < 4 || (await c.bytes(4)).toString('latin1') !== 'GGUF') throw new FormatError('NOT_GGUF', 'Not a GGUF file: it does not start with "GGUF".');
    const version = await c.u32();
    if (version < 2 || version > 3) throw new FormatError('UNSUPPORTED_VERSION', `GGUF version ${version} is not supported (2 and 3 are).`);
    const tensorCount = await c.count(GGUF_LIMITS.maxTensors, 'tensors');
    const kvCount = await c.count(GGUF_LIMITS.maxKv, 'metadata entries');
    const metadata: Record<string, GgufValue> = Object.create(null) as Record<string, GgufValue>;
    for (let i = 0; i < kvCount; i++) {
      const key = await c.string();
      if (key.length === 0 || key.length > 65_535) throw new FormatError('CORRUPT', 'A metadata key is empty or too long.');
      if (key in metadata) throw new FormatError('CORRUPT', `The metadata key ${key.slice(0, 80)} appears twice.`);
      metadata[key] = await readValue(c, await c.u32());
    }
    const alignmentValue = metadata['general.alignment'];
    if (alignmentValue !== undefined && typeof alignmentValue !== 'number') throw new FormatError('CORRUPT', 'general.alignment is not an integer.');
    const alignment = alignmentValue ?? 32;
    if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0)
      throw new FormatError('CORRUPT', 'general.alignment is not a power of two.');
    if (alignment > GGUF_LIMITS.maxAlignment)
      throw new FormatError('TOO_LARGE', `general.alignment is ${alignment}; real models use 32 (at most ${GGUF_LIMITS.maxAlignment} is accepted).`);
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await c.string();
      const nDims = await c.u32();
      if (nDims > GGUF_LIMITS.maxDims) throw new FormatError('CORRUPT', `Tensor ${name.slice(0, 80)} has ${nDims} dimensions (at most 4).`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) {
        const v = await c.u64();
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError('CORRUPT', `Tensor ${name.slice(0, 80)} has an impossible dimension.`);
        dims.push(Number(v));
      }
      tensors.push({ name, dims, type: await c.u32(), offset: await c.u64() });
    }
    const headerBytes = c.pos;
    const dataOffset = Math.ceil(headerBytes / alignment) * alignment;
    if (tensorCount > 0 && dataOffset > size) throw new FormatError('TRUNCATED', 'The file ends before its tensor data starts.');
    return { version, tensorCount, metadata, tensors, alignment, dataOffset, headerBytes };
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError('CORRUPT', `The GGUF header could not be read (${(error as Error).message}).`);
  }
}

export function metaString(h: GgufHeader, key: string): string | null {
  const v = h.metadata[key];
  return typeof v === 'string' ? v : null;
}

export function metaNumber(h: GgufHeader, key: string): number | null {
  const v = h.metadata[key];
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
}

/** llama.cpp's general.file_type names (the quantization), docs/hub-protocol.md §6.2. */
export const FILE_TYPES: Record<number, string> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  36: 'TQ1_0',
  37: 'TQ2_0',
  38: 'MXFP4_MOE',
};

export interface GgufSummary {
  architecture: string | null;
  name: string | null;
  parameters: number;
  quantization: string | null;
  contextLength: number | null;
  tensorCount: number;
}

export function summarizeGguf(h: GgufHeader): GgufSummary {
  const arch = metaString(h, 'general.architecture');
  const ft = metaNumber(h, 'general.file_type');
  return {
    architecture: arch,
    name: metaString(h, 'general.name'),
    parameters: h.tensors.reduce((a, t) => a + t.dims.reduce((x, d) => x * d, 1), 0),
    quantization: ft === null ? null : (FILE_TYPES[ft] ?? `type ${ft}`),
    contextLength: arch ? metaNumber(h, `${arch}.context_length`) : null,
    tensorCount: h.tensorCount,
  };
}
