/**
 * A Xet window's work, as the transfer hands it out: one job per xorb byte range the plan signs,
 * each with the terms whose chunks it carries (a range may serve several places of the file) and
 * its decoding cursor, which a retry resumes from and the journal records.
 */
import type { ChunkFramer } from '../xet/chunk-format';
import { XetDataError } from '../xet/errors';
import type { XetPlan, XetRange, XetTerm } from '../xet/reconstruction';
import { CAPPED_BLOCK_BYTES } from './xet-split-range';

export interface Placement {
  term: XetTerm;
  /** Where the term's first chunk lands in the file. */
  start: number;
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
  /** 403s on this range's URLs since its last chunk arrived (each a fresh plan's URL refused). */
  refusals: number;
  /** The range's name in the journal: window, xorb, first chunk, first byte. */
  key: string;
}

/** Each term goes to the range of its xorb that covers it (plan.serving); ranges nobody needs are dropped. */
export function jobsOf(plan: XetPlan, windowStart: number): Job[] {
  const jobs = new Map<string, Job>();
  let pos = windowStart - plan.offset;
  for (const term of plan.terms) {
    const found = plan.serving.find(term.xorb, term.chunks.start, term.chunks.end);
    if (!found) throw new XetDataError('plan', `the reconstruction plan has no fetch for a term of xorb ${term.xorb.slice(0, 12)}…`);
    const { fetch, range } = found;
    const key = `${fetch.url}#${range.bytes.start}`;
    const job = jobs.get(key) ?? {
      xorb: term.xorb,
      url: fetch.url,
      range,
      placements: [],
      chunk: range.chunks.start,
      consumed: 0,
      lengths: [],
      corruptions: 0,
      refusals: 0,
      key: `${windowStart}:${term.xorb}:${range.chunks.start}:${range.bytes.start}`,
    };
    job.placements.push({ term, start: pos, cursor: pos });
    jobs.set(key, job);
    pos += term.unpacked;
  }
  return [...jobs.values()];
}

/**
 * Moves a placement past chunk `chunk` of `length` bytes and returns where that chunk lands. A
 * term whose chunks hold more or fewer bytes than its unpacked length is bad data, told at the
 * chunk that shows it, before its bytes land where another term's belong.
 */
export function advance(p: Placement, chunk: number, length: number): number {
  const at = p.cursor;
  p.cursor += length;
  const held = p.cursor - p.start;
  const last = chunk === p.term.chunks.end - 1;
  if (held > p.term.unpacked || (last && held !== p.term.unpacked))
    throw new XetDataError('plan', `a term's chunks hold ${last ? '' : 'over '}${held} bytes where the reconstruction plan says ${p.term.unpacked}`);
  return at;
}

/**
 * After an answer ended without error: a range that brought every byte asked for and still ends
 * inside a chunk (a compressed length beyond the body), or with fewer chunks than the plan says
 * (indices the xorb does not have), is bad data, as the same bytes would come again. A range
 * short of its bytes is left to the caller, as a cut connection.
 */
export function checkAnswered(job: Job, asked: XetRange['bytes'], fed: number, framer: ChunkFramer): void {
  const whole = fed >= asked.end - asked.start + 1;
  if (whole || job.chunk === job.range.chunks.end) framer.end();
  if (whole && job.chunk !== job.range.chunks.end)
    throw new XetDataError(
      'plan',
      `a xorb range held ${job.chunk - job.range.chunks.start} chunks where the plan says ${job.range.chunks.end - job.range.chunks.start}`,
    );
}

/**
 * A range this large goes alone: one range can be split over connections (xet-split-range.ts),
 * a multi-range request cannot. Two capped blocks are the least a capped link splits.
 */
export const ALONE_FROM = 2 * CAPPED_BLOCK_BYTES;

/**
 * Jobs of one fetch entry go together (one multi-range request), as the plan signed them together;
 * a large one goes alone. A file that reuses two large runs of one xorb (an update's new revision)
 * otherwise came down one multi-range answer on one connection: 64 MiB in 9.3 s on a link capping
 * each connection at 8 MB/s, where hf_xet, fetching each term's range apart, took 4.9 s.
 */
export function byUrl(jobs: readonly Job[]): Job[][] {
  const out: Job[][] = [];
  const small = new Map<string, Job[]>();
  for (const j of jobs) {
    const group = small.get(j.url);
    if (j.range.bytes.end - j.range.bytes.start + 1 >= ALONE_FROM) out.push([j]);
    else if (group) group.push(j);
    else {
      const fresh = [j];
      small.set(j.url, fresh);
      out.push(fresh);
    }
  }
  return out;
}

export const unfinished = (jobs: Job[]) => jobs.filter((j) => j.chunk < j.range.chunks.end);

/** Puts a job back to its range's start, with its terms' cursors where the plan places them (`fresh`: the window's jobsOf by key). */
export function resetJob(job: Job, fresh: ReadonlyMap<string, Job>): void {
  const again = fresh.get(job.key);
  if (!again) return;
  job.chunk = again.chunk;
  job.consumed = 0;
  job.lengths = [];
  job.placements = again.placements;
}

/** The URL of a fresh plan that serves this job's remaining chunks (absolute xorb bytes do not move). */
export function urlFor(plan: XetPlan, job: Job): string {
  const found = plan.serving.find(job.xorb, job.chunk, job.range.chunks.end);
  if (found && found.range.bytes.end >= job.range.bytes.end) return found.fetch.url;
  throw new XetDataError('plan', 'a new reconstruction plan no longer serves chunks it served before');
}
