/**
 * A strict safetensors header reader (hub-protocol.md §6.5): u64 LE length, then that many bytes of
 * JSON. The length is checked against the file and a 100 MB cap before anything is read; entries are
 * checked (dtype, shape, offsets inside the buffer, no holes or overlaps).
 */
import { FormatError, type ReadAt } from './format-error';

export const SAFETENSORS_MAX_HEADER = 100_000_000;

const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1, F8_E4M3FNUZ: 1, F8_E5M2FNUZ: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8, C64: 8,
  // Sub-byte types: sizes are checked loosely (packed).
  F4: 0, F6_E2M3: 0, F6_E3M2: 0,
};

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  headerBytes: number;
  tensors: SafetensorsTensor[];
  metadata: Record<string, string>;
  parameters: number;
  dataBytes: number;
}

export async function readSafetensorsHeader(readAt: ReadAt, size: number): Promise<SafetensorsHeader> {
  try {
    if (size < 8) throw new FormatError('TRUNCATED', 'Too short to be a safetensors file.');
    const n = (await readAt(0, 8)).readBigUInt64LE(0);
    if (n > BigInt(SAFETENSORS_MAX_HEADER)) throw new FormatError('TOO_LARGE', 'The safetensors header length is implausibly large.');
    const len = Number(n);
    if (len < 2 || 8 + len > size) throw new FormatError(8 + len > size ? 'TRUNCATED' : 'NOT_SAFETENSORS', 'The safetensors header does not fit in the file.');
    const text = (await readAt(8, len)).toString('utf8');
    if (text.length === 0 || text.trimStart()[0] !== '{') throw new FormatError('NOT_SAFETENSORS', 'Not a safetensors file: its header is not a JSON object.');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new FormatError('CORRUPT', 'The safetensors header is not valid JSON.');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new FormatError('CORRUPT', 'The safetensors header is not a JSON object.');
    const dataBytes = size - 8 - len;
    const tensors: SafetensorsTensor[] = [];
    const metadata: Record<string, string> = {};
    let parameters = 0;
    for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (typeof entry !== 'object' || entry === null) throw new FormatError('CORRUPT', '__metadata__ must be an object of strings.');
        for (const [k, v] of Object.entries(entry)) {
          if (typeof v !== 'string') throw new FormatError('CORRUPT', '__metadata__ must be an object of strings.');
          metadata[k] = v;
        }
        continue;
      }
      const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      if (typeof e !== 'object' || e === null || typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) {
        throw new FormatError('CORRUPT', `Tensor ${name.slice(0, 80)} has no valid dtype.`);
      }
      if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new FormatError('CORRUPT', `Tensor ${name.slice(0, 80)} has an invalid shape.`);
      const off = e.data_offsets;
      if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1] || off[1] > dataBytes) {
        throw new FormatError('CORRUPT', `Tensor ${name.slice(0, 80)} points outside the file's data.`);
      }
      const count = (e.shape as number[]).reduce((a, d) => a * d, 1);
      const per = DTYPE_BYTES[e.dtype] as number;
      if (per > 0 && count * per !== off[1] - off[0]) throw new FormatError('CORRUPT', `Tensor ${name.slice(0, 80)} has a size that does not match its shape.`);
      parameters += count;
      tensors.push({ name, dtype: e.dtype, shape: e.shape as number[], begin: off[0] as number, end: off[1] as number });
    }
    // The buffer must be covered exactly: no holes, no overlaps.
    const sorted = [...tensors].sort((a, b) => a.begin - b.begin);
    let at = 0;
    for (const t of sorted) {
      if (t.begin !== at) throw new FormatError('CORRUPT', 'Tensors overlap or leave holes in the data.');
      at = t.end;
    }
    if (at !== dataBytes) throw new FormatError(at > dataBytes ? 'TRUNCATED' : 'CORRUPT', at > dataBytes ? 'The file is shorter than its tensors need.' : 'The file has bytes no tensor uses.');
    return { headerBytes: 8 + len, tensors, metadata, parameters, dataBytes };
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError('CORRUPT', `The safetensors header could not be read (${(error as Error).message}).`);
  }
}
