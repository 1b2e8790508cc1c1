/**
 * Which range of a plan's fetches carries a given chunk range of a xorb, found in O(log n): a plan
 * may hold 131,072 terms and as many ranges (reconstruction.ts's bound), and matching every term
 * against every range took a hostile plan of 12 MB 36 s on the thread that runs the app.
 */
import type { XetFetch, XetRange } from './reconstruction';

export interface Serving {
  fetch: XetFetch;
  range: XetRange;
}

interface XorbRanges {
  /** Each range's first chunk, ascending. */
  starts: number[];
  /** At i, the range reaching furthest among the first i + 1 (the earliest in the plan on a tie). */
  furthest: Serving[];
}

export class ServingRanges {
  readonly #byXorb = new Map<string, XorbRanges>();

  constructor(fetches: readonly XetFetch[]) {
    const grouped = new Map<string, Serving[]>();
    for (const fetch of fetches) {
      let list = grouped.get(fetch.xorb);
      if (!list) grouped.set(fetch.xorb, (list = []));
      for (const range of fetch.ranges) list.push({ fetch, range });
    }
    for (const [xorb, list] of grouped) {
      // Stable: ranges starting at the same chunk keep the plan's order.
      list.sort((a, b) => a.range.chunks.start - b.range.chunks.start);
      const furthest: Serving[] = [];
      let top: Serving | undefined;
      for (const s of list) {
        if (!top || s.range.chunks.end > top.range.chunks.end) top = s;
        furthest.push(top);
      }
      this.#byXorb.set(xorb, { starts: list.map((s) => s.range.chunks.start), furthest });
    }
  }

  /**
   * A range of `xorb` holding chunks [start, end), or null: of the ranges that start at or before
   * `start`, the one reaching furthest (if it does not reach `end`, none does).
   */
  find(xorb: string, start: number, end: number): Serving | null {
    const x = this.#byXorb.get(xorb);
    if (!x) return null;
    let lo = 0;
    let hi = x.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((x.starts[mid] as number) <= start) lo = mid + 1;
      else hi = mid;
    }
    const best = lo > 0 ? x.furthest[lo - 1] : undefined;
    return best && best.range.chunks.end >= end ? best : null;
  }
}
