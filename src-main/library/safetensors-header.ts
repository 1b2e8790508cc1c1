/**
 * A strict safetensors header reader (docs/hub-protocol.md §6.5): u64 LE length, then that many bytes of
 * JSON. Files dropped in are hostile until checked, so before JSON.parse sees a byte the header is
 * bounded and its shape pre-scanned in one linear pass (a 100 MB header of nested arrays once took
 * the core 28 s and 4.9 GB): at most 25 MB, three levels deep, short arrays. Headers over 1 MiB
 * are parsed in a worker thread with a memory limit and a deadline, so the core keeps answering.
 * Entries are then checked (dtype, shape, offsets inside the buffer, no holes or overlaps).
 */
import { Worker } from 'node:worker_threads';
import { FormatError, type FormatProblem, type ReadAt } from './format-error';

export const SAFETENSORS_LIMITS = {
  /**
   * huggingface_hub's and @huggingface/hub's metadata parsers stop at 25 MB too; the largest real
   * headers (tens of thousands of tensors) take a few MB.
   */
  maxHeaderBytes: 25_000_000,
  /** A valid header nests three levels: the object, a tensor's entry, its shape and offsets. */
  maxDepth: 3,
  /** shape (a handful of dimensions) and data_offsets (two): no real array is longer. */
  maxArrayItems: 64,
  /** Larger headers are parsed off the core's thread. */
  inlineBytes: 1 << 20,
  workerTimeoutMs: 20_000,
  workerHeapMb: 512,
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

type Parsed =
  { ok: true; tensors: SafetensorsTensor[]; metadata: Record<string, string>; parameters: number } | { ok: false; problem: FormatProblem; message: string };

/** A worker's answer: the tensor list comes as columns, turned back into objects only if asked. */
type WorkerAnswer = Parsed | { ok: true; metadata: Record<string, string>; parameters: number; packed: Packed };

/**
 * Pre-scan, parse and check a header's JSON. Self-contained on purpose (no outside names): the
 * worker thread runs this very function from its source text.
 */
export function parseSafetensorsJson(text: string, dataBytes: number, limits: { maxDepth: number; maxArrayItems: number }): Parsed {
  const fail = (problem: FormatProblem, message: string): Parsed => ({ ok: false, problem, message });
  const start = text.length - text.trimStart().length;
  if (text.length === 0 || text[start] !== '{') return fail('NOT_SAFETENSORS', 'Not a safetensors file: its header is not a JSON object.');
  // One linear pass outside strings: depth and array lengths, before any allocation by JSON.parse.
  const counts: number[] = [];
  const kinds: number[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (kinds.length >= limits.maxDepth)
        return fail('CORRUPT', `The safetensors header nests deeper than ${limits.maxDepth} levels, which no real checkpoint does.`);
      if (kinds.length && kinds[kinds.length - 1] === 91) counts[counts.length - 1] = (counts[counts.length - 1] as number) + 1;
      kinds.push(c);
      counts.push(0);
    } else if (c === 125 || c === 93) {
      kinds.pop();
      counts.pop();
    } else if (c === 44 && kinds[kinds.length - 1] === 91) {
      const n = (counts[counts.length - 1] as number) + 1;
      counts[counts.length - 1] = n;
      if (n >= limits.maxArrayItems)
        return fail('CORRUPT', `The safetensors header has an array of more than ${limits.maxArrayItems} items, which no real checkpoint has.`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail('CORRUPT', 'The safetensors header is not valid JSON.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('CORRUPT', 'The safetensors header is not a JSON object.');
  const DTYPE_BYTES: Record<string, number> = {
    BOOL: 1,
    U8: 1,
    I8: 1,
    F8_E4M3: 1,
    F8_E5M2: 1,
    F8_E8M0: 1,
    F8_E4M3FNUZ: 1,
    F8_E5M2FNUZ: 1,
    I16: 2,
    U16: 2,
    F16: 2,
    BF16: 2,
    I32: 4,
    U32: 4,
    F32: 4,
    F64: 8,
    I64: 8,
    U64: 8,
    C64: 8,
    // Sub-byte types: sizes are checked loosely (packed).
    F4: 0,
    F6_E2M3: 0,
    F6_E3M2: 0,
  };
  const tensors: SafetensorsTensor[] = [];
  const metadata: Record<string, string> = {};
  let parameters = 0;
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    const label = name.slice(0, 80);
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail('CORRUPT', '__metadata__ must be an object of strings.');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') return fail('CORRUPT', '__metadata__ must be an object of strings.');
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null || typeof e.dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, e.dtype)) {
      return fail('CORRUPT', `Tensor ${label} has no valid dtype.`);
    }
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return fail('CORRUPT', `Tensor ${label} has an invalid shape.`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1] || off[1] > dataBytes) {
      return fail('CORRUPT', `Tensor ${label} points outside the file's data.`);
    }
    const count = (e.shape as number[]).reduce((a, d) => a * d, 1);
    const per = DTYPE_BYTES[e.dtype] as number;
    if (per > 0 && count * per !== off[1] - off[0]) return fail('CORRUPT', `Tensor ${label} has a size that does not match its shape.`);
    parameters += count;
    tensors.push({ name, dtype: e.dtype, shape: e.shape as number[], begin: off[0] as number, end: off[1] as number });
  }
  // The buffer must be covered exactly: no holes, no overlaps.
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin);
  let at = 0;
  for (const t of sorted) {
    if (t.begin !== at) return fail('CORRUPT', 'Tensors overlap or leave holes in the data.');
    at = t.end;
  }
  if (at !== dataBytes)
    return fail(at > dataBytes ? 'TRUNCATED' : 'CORRUPT', at > dataBytes ? 'The file is shorter than its tensors need.' : 'The file has bytes no tensor uses.');
  return { ok: true, tensors, metadata, parameters };
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const __name = (f) => f;
const parse = ${parseSafetensorsJson.toString()};
const text = new TextDecoder().decode(new Uint8Array(workerData.bytes));
const r = parse(text, workerData.dataBytes, workerData.limits);
if (!r.ok) parentPort.postMessage(r);
else {
  // Columns, not 100k small objects: cloning objects back would stall the main thread.
  const n = r.tensors.length;
  const dims = new Uint8Array(n), begins = new Float64Array(n), ends = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += r.tensors[i].shape.length;
  const shapes = new Float64Array(total);
  let at = 0;
  const names = new Array(n), dtypes = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = r.tensors[i];
    names[i] = t.name; dtypes[i] = t.dtype; dims[i] = t.shape.length; begins[i] = t.begin; ends[i] = t.end;
    for (const d of t.shape) shapes[at++] = d;
  }
  const packed = { names: names.join('\u0000'), dtypes: dtypes.join('\u0000'), dims, shapes, begins, ends };
  parentPort.postMessage({ ok: true, metadata: r.metadata, parameters: r.parameters, packed }, [dims.buffer, shapes.buffer, begins.buffer, ends.buffer]);
}
`;

interface Packed {
  names: string;
  dtypes: string;
  dims: Uint8Array;
  shapes: Float64Array;
  begins: Float64Array;
  ends: Float64Array;
}

function unpack(p: Packed): SafetensorsTensor[] {
  const names = p.names.split('\u0000');
  const dtypes = p.dtypes.split('\u0000');
  const out: SafetensorsTensor[] = new Array(p.dims.length);
  let at = 0;
  for (let i = 0; i < p.dims.length; i++) {
    const n = p.dims[i] as number;
    const shape: number[] = [];
    for (let d = 0; d < n; d++) shape.push(p.shapes[at + d] as number);
    out[i] = { name: names[i] as string, dtype: dtypes[i] as string, shape, begin: p.begins[i] as number, end: p.ends[i] as number };
    at += n;
  }
  return out;
}

/** The same parse in a worker thread, bounded in memory and time. */
function parseInWorker(bytes: Buffer, dataBytes: number): Promise<WorkerAnswer> {
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : Buffer.from(bytes);
  const ab = own.buffer as ArrayBuffer;
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bytes: ab, dataBytes, limits: SAFETENSORS_LIMITS },
      transferList: [ab],
      resourceLimits: { maxOldGenerationSizeMb: SAFETENSORS_LIMITS.workerHeapMb },
    });
    const finish = (result: WorkerAnswer) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, problem: 'TOO_LARGE', message: 'The safetensors header took too long to read.' }),
      SAFETENSORS_LIMITS.workerTimeoutMs,
    );
    worker.once('message', (m: WorkerAnswer) => finish(m));
    worker.once('error', (e) => finish({ ok: false, problem: 'TOO_LARGE', message: `The safetensors header could not be read (${e.message}).` }));
  });
}

export async function readSafetensorsHeader(readAt: ReadAt, size: number): Promise<SafetensorsHeader> {
  try {
    if (size < 8) throw new FormatError('TRUNCATED', 'Too short to be a safetensors file.');
    const n = (await readAt(0, 8)).readBigUInt64LE(0);
    if (n > BigInt(SAFETENSORS_LIMITS.maxHeaderBytes))
      throw new FormatError(
        'TOO_LARGE',
        `The safetensors header length is implausibly large (${n} bytes; real ones are far below ${SAFETENSORS_LIMITS.maxHeaderBytes.toLocaleString('en')}).`,
      );
    const len = Number(n);
    if (len < 2 || 8 + len > size) throw new FormatError(8 + len > size ? 'TRUNCATED' : 'NOT_SAFETENSORS', 'The safetensors header does not fit in the file.');
    const bytes = await readAt(8, len);
    const dataBytes = size - 8 - len;
    const parsed =
      len <= SAFETENSORS_LIMITS.inlineBytes
        ? parseSafetensorsJson(bytes.toString('utf8'), dataBytes, SAFETENSORS_LIMITS)
        : await parseInWorker(bytes, dataBytes);
    if (!parsed.ok) throw new FormatError(parsed.problem, parsed.message);
    const base = { headerBytes: 8 + len, metadata: parsed.metadata, parameters: parsed.parameters, dataBytes };
    if (!('packed' in parsed)) return { ...base, tensors: parsed.tensors };
    // Tens of thousands of small objects cost the thread ~100 ms to build: only when someone asks.
    const packed = parsed.packed;
    let tensors: SafetensorsTensor[] | null = null;
    return Object.defineProperty(base, 'tensors', { enumerable: true, get: () => (tensors ??= unpack(packed)) }) as SafetensorsHeader;
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError('CORRUPT', `The safetensors header could not be read (${(error as Error).message}).`);
  }
}
