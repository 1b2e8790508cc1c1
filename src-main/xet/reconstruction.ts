/**
 * Reconstruction plans (docs/hub-protocol.md §3.4; xet-core cas_types), hostile until checked:
 * v1 (`fetch_info`) and v2 (`xorbs`) both become one plan of terms (xorb, chunk range, unpacked
 * length) and fetches (a presigned URL with its chunk and byte ranges). Every number is bounded
 * before it sizes anything, every term must be served by a fetch of its xorb, and the terms must
 * cover exactly the window asked for (a plan longer than the file is refused).
 */
import { CHUNK_HEADER_BYTES, MAX_CHUNK_BYTES, MAX_COMPRESSED_BYTES } from './chunk-format';
import { XetDataError } from './errors';
import { XET_HASH_RE } from './hashes';
import { ServingRanges } from './serving-ranges';

/** xet-core's MAX_XORB_CHUNKS. */
export const MAX_XORB_CHUNKS = 8192;
/** Terms and fetch ranges one plan may hold (a 256 MiB window of 64 KiB chunks is 4096 chunks). */
export const MAX_PLAN_ENTRIES = 1 << 17;

export interface ChunkRange {
  start: number;
  /** Exclusive. */
  end: number;
}

export interface XetRange {
  chunks: ChunkRange;
  /** Byte range in the xorb, end inclusive (as HTTP Range). */
  bytes: { start: number; end: number };
}

export interface XetFetch {
  xorb: string;
  url: string;
  ranges: XetRange[];
}

export interface XetTerm {
  xorb: string;
  chunks: ChunkRange;
  unpacked: number;
}

export interface XetPlan {
  version: 1 | 2;
  /** Bytes of the first term before the window's first byte. */
  offset: number;
  terms: XetTerm[];
  fetches: XetFetch[];
  /** Which fetch range carries a term's chunks. */
  serving: ServingRanges;
}

const bad = (why: string) => new XetDataError('plan', `the reconstruction plan ${why}`);

function isInt(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max;
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`has no ${what}`);
  return v as Record<string, unknown>;
}

function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw bad(`has no ${what} list`);
  if (v.length > MAX_PLAN_ENTRIES) throw bad(`has ${v.length} ${what} (at most ${MAX_PLAN_ENTRIES})`);
  return v;
}

function xorbHash(v: unknown): string {
  if (typeof v !== 'string' || !XET_HASH_RE.test(v)) throw bad('names a xorb that is not a 64-hex hash');
  return v;
}

function chunkRange(v: unknown): ChunkRange {
  const r = record(v, 'chunk range');
  if (!isInt(r.start, MAX_XORB_CHUNKS) || !isInt(r.end, MAX_XORB_CHUNKS) || r.start >= r.end)
    throw bad(`has an impossible chunk range (${JSON.stringify(v).slice(0, 80)})`);
  return { start: r.start, end: r.end };
}

function xetRange(chunksRaw: unknown, bytesRaw: unknown): XetRange {
  const chunks = chunkRange(chunksRaw);
  const b = record(bytesRaw, 'byte range');
  const most = (chunks.end - chunks.start) * (CHUNK_HEADER_BYTES + MAX_COMPRESSED_BYTES);
  if (!isInt(b.start, Number.MAX_SAFE_INTEGER) || !isInt(b.end, Number.MAX_SAFE_INTEGER) || b.start > b.end || b.end - b.start + 1 > most)
    throw bad(`has an impossible byte range for chunks ${chunks.start}-${chunks.end}`);
  return { chunks, bytes: { start: b.start, end: b.end } };
}

function url(v: unknown): string {
  if (typeof v !== 'string' || v.length > 8192) throw bad('has a fetch without a usable URL');
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw bad('has a fetch URL that does not parse');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw bad(`has a fetch URL with scheme ${u.protocol}`);
  return v;
}

function fetchesV2(raw: unknown): XetFetch[] {
  const out: XetFetch[] = [];
  for (const [hash, entries] of Object.entries(record(raw, 'xorbs'))) {
    const xorb = xorbHash(hash);
    for (const e of list(entries, 'fetch entries')) {
      const entry = record(e, 'fetch entry');
      const ranges = list(entry.ranges, 'ranges').map((r) => xetRange(record(r, 'range').chunks, record(r, 'range').bytes));
      if (ranges.length === 0) throw bad('has a fetch entry without ranges');
      out.push({ xorb, url: url(entry.url), ranges });
    }
  }
  return out;
}

function fetchesV1(raw: unknown): XetFetch[] {
  const out: XetFetch[] = [];
  for (const [hash, entries] of Object.entries(record(raw, 'fetch_info'))) {
    const xorb = xorbHash(hash);
    for (const e of list(entries, 'fetch entries')) {
      const entry = record(e, 'fetch entry');
      out.push({ xorb, url: url(entry.url), ranges: [xetRange(entry.range, entry.url_range)] });
    }
  }
  return out;
}

/**
 * Checks and normalizes a plan for bytes [window.start, window.end) of a file of `fileSize` bytes.
 */
export function parsePlan(body: unknown, version: 1 | 2, window: { start: number; end: number }, fileSize: number): XetPlan {
  const root = record(body, 'body');
  const terms = list(root.terms, 'terms').map((t): XetTerm => {
    const term = record(t, 'term');
    const chunks = chunkRange(term.range);
    const unpacked = term.unpacked_length;
    if (!isInt(unpacked, (chunks.end - chunks.start) * MAX_CHUNK_BYTES) || unpacked < chunks.end - chunks.start)
      throw bad(`gives ${String(unpacked).slice(0, 20)} bytes for ${chunks.end - chunks.start} chunks`);
    return { xorb: xorbHash(term.hash), chunks, unpacked };
  });
  const fetches = version === 2 ? fetchesV2(root.xorbs) : fetchesV1(root.fetch_info);
  if (fetches.reduce((n, f) => n + f.ranges.length, 0) > MAX_PLAN_ENTRIES) throw bad('has too many fetch ranges');
  const offset = root.offset_into_first_range;
  const first = terms[0];
  if (!isInt(offset, MAX_CHUNK_BYTES) || (first ? offset >= first.unpacked : offset !== 0)) throw bad('has an impossible offset into its first term');
  const length = window.end - window.start;
  const total = terms.reduce((n, t) => n + t.unpacked, 0) - offset;
  const over = total - length;
  if (over < 0) throw bad(`covers ${total} bytes where ${length} were asked for`);
  if (over >= MAX_CHUNK_BYTES || (window.end >= fileSize && over !== 0)) throw bad(`is longer than the file (${over} bytes past the window)`);
  const serving = new ServingRanges(fetches);
  for (const t of terms) {
    if (!serving.find(t.xorb, t.chunks.start, t.chunks.end))
      throw bad(`has no fetch for chunks ${t.chunks.start}-${t.chunks.end} of xorb ${t.xorb.slice(0, 12)}…`);
  }
  return { version, offset, terms, fetches, serving };
}
