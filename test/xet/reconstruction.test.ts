/**
 * Reconstruction plans are hostile until checked: the fake CAS's real answers (v1 and v2, whole and
 * windowed) parse; every bent field is refused as a 'plan' error before it sizes anything.
 */
import { describe, expect, it } from 'vitest';
import { XetDataError } from '../../src-main/xet/errors';
import { MAX_PLAN_ENTRIES, parsePlan } from '../../src-main/xet/reconstruction';
import { mixedXetContent } from '../fakehub/xet/fixtures';
import { planFor, v1Answer, v2Answer } from '../fakehub/xet/plans';
import { XorbStore } from '../fakehub/xet/xorbs';

const store = new XorbStore({ maxXorbBytes: 1 << 20 });
const file = store.add(mixedXetContent());
const size = file.size;
const sign = (x: string) => `https://cas.example/xorbs/default/${x}?sig=1`;
const whole = { start: 0, end: size };

function v2(window = whole) {
  const raw = planFor(store, file, window);
  if (!raw) throw new Error('no plan');
  return JSON.parse(JSON.stringify(v2Answer(raw, sign, 8))) as {
    offset_into_first_range: number;
    terms: { hash: string; unpacked_length: number; range: { start: number; end: number } }[];
    xorbs: Record<string, { url: string; ranges: { chunks: { start: number; end: number }; bytes: { start: number; end: number } }[] }[]>;
  };
}

const refused = (body: unknown, window = whole) => {
  try {
    parsePlan(body, 2, window, size);
  } catch (e) {
    return e instanceof XetDataError && e.problem === 'plan' ? e.message : `untyped: ${String(e)}`;
  }
  return 'accepted';
};

describe('parsePlan', () => {
  it('accepts the CAS answers, v1 and v2, whole and in windows', () => {
    const plan = parsePlan(v2(), 2, whole, size);
    expect(plan.terms.reduce((n, t) => n + t.unpacked, 0)).toBe(size);
    const raw = planFor(store, file, whole);
    if (!raw) throw new Error('no plan');
    expect(parsePlan(JSON.parse(JSON.stringify(v1Answer(raw, sign))), 1, whole, size).terms).toEqual(plan.terms);
    const mid = { start: 1_000_003, end: 2_500_000 };
    const windowed = parsePlan(v2(mid), 2, mid, size);
    expect(windowed.offset).toBeGreaterThan(0);
  });

  it('refuses unknown or out-of-range chunk indices', () => {
    const p = v2();
    const t = p.terms[0];
    if (!t) throw new Error('no term');
    t.range = { start: 0, end: 9000 };
    expect(refused(p)).toMatch(/impossible chunk range/);
    const q = v2();
    const last = q.terms.at(-1);
    if (!last) throw new Error('no term');
    q.terms.push({ ...last, hash: 'f'.repeat(64) });
    expect(refused(q)).toMatch(/no fetch for chunks|longer than the file/);
    const r = v2();
    const served = Object.values(r.xorbs)[0]?.[0]?.ranges[0];
    if (!served) throw new Error('no range');
    served.chunks.end = served.chunks.start + 1;
    expect(refused(r)).toMatch(/no fetch for chunks|impossible byte range/);
  });

  it('refuses lengths that disagree with unpacked_length, and plans longer or shorter than the window', () => {
    const p = v2();
    const t = p.terms[0];
    if (!t) throw new Error('no term');
    t.unpacked_length = (t.range.end - t.range.start) * 128 * 1024 + 1;
    expect(refused(p)).toMatch(/bytes for/);
    const q = v2();
    const u = q.terms[1];
    if (!u) throw new Error('no term');
    u.unpacked_length += 10;
    expect(refused(q)).toMatch(/longer than the file/);
    const r = v2();
    r.terms.pop();
    expect(refused(r)).toMatch(/covers/);
    const s = v2();
    s.offset_into_first_range = s.terms[0]?.unpacked_length ?? 0;
    expect(refused(s)).toMatch(/offset/);
  });

  it('refuses non-hex xorbs, bad URLs, byte ranges too large for their chunks, and floods', () => {
    const p = v2();
    const [hash, entries] = Object.entries(p.xorbs)[0] ?? [];
    if (!hash || !entries) throw new Error('no xorb');
    expect(refused({ ...p, xorbs: { ...p.xorbs, ['nothex']: entries } })).toMatch(/64-hex/);
    expect(refused({ ...p, xorbs: { ...p.xorbs, [hash]: [{ ...entries[0], url: 'file:///etc/passwd' }] } })).toMatch(/scheme file:/);
    const big = entries[0]?.ranges[0];
    if (!big) throw new Error('no range');
    big.bytes.end = big.bytes.start + 10 ** 12;
    expect(refused(p)).toMatch(/impossible byte range/);
    expect(refused({ ...v2(), terms: new Array(MAX_PLAN_ENTRIES + 1).fill(0) })).toMatch(/at most/);
    expect(refused(null)).toMatch(/has no body/);
    expect(refused({ ...v2(), terms: 'x' })).toMatch(/no terms list/);
  });
});
