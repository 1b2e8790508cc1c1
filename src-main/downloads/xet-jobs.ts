/**
 * A Xet window's work, as the transfer hands it out: one job per xorb byte range the plan signs,
 * each with the terms whose chunks it carries (a range may serve several places of the file) and
 * its decoding cursor, which a retry resumes from and the journal records.
 */
import { XetDataError } from '../xet/errors';
import type { XetFetch, XetPlan, XetRange, XetTerm } from '../xet/reconstruction';

export interface Placement {
  term: XetTerm;
  /** Where the term's next chunk lands in the file. */
  cursor: number;
}

export interface Job {
  xorb: string;
  url: string;
  range: XetRange;
  placements: Placement[];
  /** Chunks decoded so far, and the bytes they took in the xorb. */
  chunk: number;
  consumed: number;
  /** Lengths of the chunks decoded so far, in order (for the journal). */
  lengths: number[];
  corruptions: number;
  /** The range's name in the journal: window, xorb, first chunk, first byte. */
  key: string;
}

/** Each term goes to the first range of its xorb that covers it; ranges nobody needs are dropped. */
export function jobsOf(plan: XetPlan, windowStart: number): Job[] {
  const jobs = new Map<string, Job>();
  let pos = windowStart - plan.offset;
  for (const term of plan.terms) {
    let found: { f: XetFetch; r: XetRange } | null = null;
    for (const f of plan.fetches) {
      if (f.xorb !== term.xorb) continue;
      const r = f.ranges.find((x) => x.chunks.start <= term.chunks.start && x.chunks.end >= term.chunks.end);
      if (r) {
        found = { f, r };
        break;
      }
    }
    if (!found) throw new XetDataError('plan', `the reconstruction plan has no fetch for a term of xorb ${term.xorb.slice(0, 12)}…`);
    const key = `${found.f.url}#${found.r.bytes.start}`;
    const job = jobs.get(key) ?? {
      xorb: term.xorb,
      url: found.f.url,
      range: found.r,
      placements: [],
      chunk: found.r.chunks.start,
      consumed: 0,
      lengths: [],
      corruptions: 0,
      key: `${windowStart}:${term.xorb}:${found.r.chunks.start}:${found.r.bytes.start}`,
    };
    job.placements.push({ term, cursor: pos });
    jobs.set(key, job);
    pos += term.unpacked;
  }
  return [...jobs.values()];
}

export const unfinished = (jobs: Job[]) => jobs.filter((j) => j.chunk < j.range.chunks.end);

/** Puts a job back to its range's start, with its terms' cursors where the plan places them. */
export function resetJob(job: Job, fresh: Job[]): void {
  const again = fresh.find((f) => f.url === job.url && f.range.bytes.start === job.range.bytes.start);
  if (!again) return;
  job.chunk = again.chunk;
  job.consumed = 0;
  job.lengths = [];
  job.placements = again.placements;
}

/** The URL of a fresh plan that serves this job's remaining chunks (absolute xorb bytes do not move). */
export function urlFor(plan: XetPlan, job: Job): string {
  for (const f of plan.fetches)
    if (f.xorb === job.xorb && f.ranges.some((r) => r.chunks.start <= job.chunk && r.chunks.end >= job.range.chunks.end && r.bytes.end >= job.range.bytes.end))
      return f.url;
  throw new XetDataError('plan', 'a new reconstruction plan no longer serves chunks it served before');
}
