/**
 * Reconstruction answers as xet-core's simulation server computes them
 * (cas_client/simulation/xorb_utils.rs compute_reconstruction_ranges): the terms covering a byte
 * range [start, end) of the file, trimmed to the chunks that overlap it, `offset_into_first_range`
 * into the first term, and per xorb the merged chunk ranges with their byte ranges (chunk ranges
 * end-exclusive, byte ranges end-inclusive). v1 gives one URL per range (`fetch_info`), v2 one URL
 * for up to `maxRangesPerFetch` ranges of a xorb (`xorbs`), signed for exactly those ranges.
 */
import { chunkBytes, type XetFile, type XorbStore } from './xorbs';

export interface PlanTerm {
  hash: string;
  unpacked_length: number;
  range: { start: number; end: number };
}

interface Merged {
  chunks: { start: number; end: number };
  bytes: { start: number; end: number };
}

export interface RawPlan {
  offset_into_first_range: number;
  terms: PlanTerm[];
  merged: Map<string, Merged[]>;
}

/** null: the range starts past the end (416). */
export function planFor(store: XorbStore, file: XetFile, range: { start: number; end: number } | null): RawPlan | null {
  const size = file.size;
  if (range && range.start >= size) return size === 0 && range.start === 0 ? { offset_into_first_range: 0, terms: [], merged: new Map() } : null;
  if (size === 0) return { offset_into_first_range: 0, terms: [], merged: new Map() };
  const want = { start: range?.start ?? 0, end: Math.min(range?.end ?? size, size) };
  const terms: PlanTerm[] = [];
  const perXorb = new Map<string, Merged[]>();
  let pos = 0;
  let firstStart = 0;
  for (const t of file.terms) {
    const termEnd = pos + t.unpacked;
    if (termEnd <= want.start) {
      pos = termEnd;
      continue;
    }
    if (pos >= want.end) break;
    const xorb = store.xorbs.get(t.xorb);
    if (!xorb) throw new Error(`xorb ${t.xorb} missing`);
    let start = t.start;
    let end = t.end;
    let at = pos;
    while (at + (xorb.chunks[start]?.length ?? 0) <= want.start) at += xorb.chunks[start++]?.length ?? 0;
    if (terms.length === 0) firstStart = at;
    let unpacked = 0;
    for (let i = start; i < end; i++) unpacked += xorb.chunks[i]?.length ?? 0;
    while (end - 1 > start && at + unpacked - (xorb.chunks[end - 1]?.length ?? 0) >= want.end) unpacked -= xorb.chunks[--end]?.length ?? 0;
    terms.push({ hash: t.xorb, unpacked_length: unpacked, range: { start, end } });
    const b = chunkBytes(xorb, start, end);
    const list = perXorb.get(t.xorb) ?? [];
    list.push({ chunks: { start, end }, bytes: { start: b.start, end: b.end - 1 } });
    perXorb.set(t.xorb, list);
    pos = termEnd;
  }
  const merged = new Map<string, Merged[]>();
  for (const [hash, list] of perXorb) {
    list.sort((a, b) => a.chunks.start - b.chunks.start);
    const out: Merged[] = [];
    for (const m of list) {
      const last = out.at(-1);
      if (last && m.chunks.start <= last.chunks.end) {
        last.chunks.end = Math.max(last.chunks.end, m.chunks.end);
        last.bytes.end = Math.max(last.bytes.end, m.bytes.end);
      } else out.push({ chunks: { ...m.chunks }, bytes: { ...m.bytes } });
    }
    merged.set(hash, out);
  }
  return { offset_into_first_range: want.start - firstStart, terms, merged };
}

export type SignUrl = (xorb: string, ranges: { start: number; end: number }[]) => string;

export function v1Answer(plan: RawPlan, sign: SignUrl) {
  const fetch_info: Record<string, { range: Merged['chunks']; url: string; url_range: Merged['bytes'] }[]> = {};
  for (const [hash, list] of plan.merged) fetch_info[hash] = list.map((m) => ({ range: m.chunks, url: sign(hash, [m.bytes]), url_range: m.bytes }));
  return { offset_into_first_range: plan.offset_into_first_range, terms: plan.terms, fetch_info };
}

export function v2Answer(plan: RawPlan, sign: SignUrl, maxRangesPerFetch: number) {
  const xorbs: Record<string, { url: string; ranges: Merged[] }[]> = {};
  for (const [hash, list] of plan.merged) {
    const entries: { url: string; ranges: Merged[] }[] = [];
    for (let i = 0; i < list.length; i += maxRangesPerFetch) {
      const ranges = list.slice(i, i + maxRangesPerFetch);
      entries.push({
        url: sign(
          hash,
          ranges.map((r) => r.bytes),
        ),
        ranges,
      });
    }
    xorbs[hash] = entries;
  }
  return { offset_into_first_range: plan.offset_into_first_range, terms: plan.terms, xorbs };
}
