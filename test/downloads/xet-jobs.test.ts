/**
 * downloads/xet-jobs.ts: a window's plan becomes one job per xorb range, each term placed at its
 * file offset (a range carrying several terms, or one term twice, is one job); a job put back
 * after bad bytes finds its range by its journal key even after a fresh plan changed its URL; a
 * fresh plan's URL is found for a job, or a typed error; a plan at its bounds is handed out in
 * time that does not grow with terms × ranges; and jobs of one URL share a request unless large.
 */
import { describe, expect, it } from 'vitest';
import { ALONE_FROM, byUrl, jobsOf, resetJob, urlFor, type Job } from '../../src-main/downloads/xet-jobs';
import { XetDataError } from '../../src-main/xet/errors';
import { MAX_PLAN_ENTRIES, parsePlan } from '../../src-main/xet/reconstruction';

const X = 'a'.repeat(64);
const Y = 'b'.repeat(64);

type Term = [xorb: string, start: number, end: number, unpacked: number];
type Ranges = Record<string, { url: string; ranges: [chunks: [number, number], bytes: [number, number]][] }[]>;

/** A v2 plan for a window of `size` bytes at `windowStart`, parsed as the CAS client parses it. */
function plan(terms: Term[], xorbs: Ranges, { windowStart = 0, offset = 0 } = {}) {
  const length = terms.reduce((n, t) => n + t[3], 0) - offset;
  const body = {
    offset_into_first_range: offset,
    terms: terms.map(([hash, start, end, unpacked_length]) => ({ hash, range: { start, end }, unpacked_length })),
    xorbs: Object.fromEntries(
      Object.entries(xorbs).map(([x, entries]) => [
        x,
        entries.map((e) => ({ url: e.url, ranges: e.ranges.map(([c, b]) => ({ chunks: { start: c[0], end: c[1] }, bytes: { start: b[0], end: b[1] } })) })),
      ]),
    ),
  };
  return parsePlan(body, 2, { start: windowStart, end: windowStart + length }, windowStart + length);
}

describe('jobsOf', () => {
  it('places every term at its offset in the file, one job per range however many terms it carries', () => {
    const p = plan(
      [
        [X, 0, 2, 100],
        [Y, 0, 1, 30],
        [X, 2, 4, 70],
        [X, 0, 2, 100],
      ],
      {
        [X]: [
          {
            url: 'https://cas/x',
            ranges: [
              [
                [0, 4],
                [0, 999],
              ],
            ],
          },
        ],
        [Y]: [
          {
            url: 'https://cas/y',
            ranges: [
              [
                [0, 1],
                [0, 99],
              ],
            ],
          },
        ],
      },
      { windowStart: 1000, offset: 10 },
    );
    const jobs = jobsOf(p, 1000);
    expect(jobs.map((j) => [j.url, j.key, j.chunk, j.placements.map((pl) => [pl.term.chunks.start, pl.cursor])])).toEqual([
      [
        'https://cas/x',
        `1000:${X}:0:0`,
        0,
        [
          [0, 990],
          [2, 1120],
          [0, 1190],
        ],
      ],
      ['https://cas/y', `1000:${Y}:0:0`, 0, [[0, 1090]]],
    ]);
  });

  it('refuses a plan whose term no range carries, as a plan error', () => {
    const p = plan([[X, 0, 2, 100]], {
      [X]: [
        {
          url: 'https://cas/x',
          ranges: [
            [
              [0, 2],
              [0, 99],
            ],
          ],
        },
      ],
    });
    const broken = {
      ...p,
      serving: plan([[Y, 0, 1, 100]], {
        [Y]: [
          {
            url: 'https://cas/y',
            ranges: [
              [
                [0, 1],
                [0, 9],
              ],
            ],
          },
        ],
      }).serving,
    };
    expect(() => jobsOf(broken, 0)).toThrow(XetDataError);
  });

  it('hands out a plan at its bounds (131,072 terms and ranges) in time that does not grow with their product', () => {
    const n = MAX_PLAN_ENTRIES;
    const xorbs: Ranges = {};
    const hex = (i: number) => i.toString(16).padStart(64, '0');
    for (let i = 0; i < n - 1; i++)
      xorbs[hex(i)] = [
        {
          url: 'https://cas/a',
          ranges: [
            [
              [0, 1],
              [0, 9],
            ],
          ],
        },
      ];
    xorbs[X] = [
      {
        url: 'https://cas/a',
        ranges: [
          [
            [0, 1],
            [0, 9],
          ],
        ],
      },
    ];
    const started = performance.now();
    const p = plan(
      Array.from({ length: n }, (): Term => [X, 0, 1, 1]),
      xorbs,
    );
    const jobs = jobsOf(p, 0);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.placements).toHaveLength(n);
    // Well under a second here; the bound only tells that from the scan of every range per term (minutes).
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 60_000);
});

describe('resetJob and urlFor', () => {
  const xorbs = (url: string): Ranges => ({
    [X]: [
      {
        url,
        ranges: [
          [
            [0, 4],
            [0, 999],
          ],
        ],
      },
    ],
  });
  const terms: Term[] = [
    [X, 0, 2, 100],
    [X, 2, 4, 70],
  ];

  it('a job goes back to its range’s start with the plan’s placements, found by its key even under a fresh URL', () => {
    const p = plan(terms, xorbs('https://cas/old'));
    const [job] = jobsOf(p, 0);
    if (!job) throw new Error('no job');
    Object.assign(job, { chunk: 3, consumed: 500, lengths: [1, 2, 3], url: 'https://cas/new' });
    for (const pl of job.placements) pl.cursor = 77;
    resetJob(job, new Map(jobsOf(p, 0).map((j) => [j.key, j])));
    expect([job.chunk, job.consumed, job.lengths, job.url, job.placements.map((pl) => pl.cursor)]).toEqual([0, 0, [], 'https://cas/new', [0, 100]]);
  });

  it('a fresh plan’s URL for the chunks a job has left, or a plan error when it no longer carries them', () => {
    const [job] = jobsOf(plan(terms, xorbs('https://cas/old')), 0);
    if (!job) throw new Error('no job');
    job.chunk = 2;
    expect(urlFor(plan(terms, xorbs('https://cas/renewed')), job)).toBe('https://cas/renewed');
    const shorter = plan([[X, 0, 2, 100]], {
      [X]: [
        {
          url: 'https://cas/short',
          ranges: [
            [
              [0, 2],
              [0, 499],
            ],
          ],
        },
      ],
    });
    expect(() => urlFor(shorter, job)).toThrow(/no longer serves/);
  });
});

describe('byUrl', () => {
  const job = (url: string, start: number, length: number) => ({ url, range: { bytes: { start, end: start + length - 1 } } }) as unknown as Job;

  it('puts the small ranges of one URL in one request and a large one in a request of its own, in the plan’s order', () => {
    const a1 = job('https://cas/a', 0, 1000);
    const big = job('https://cas/a', 5000, ALONE_FROM);
    const b1 = job('https://cas/b', 0, 10);
    const a2 = job('https://cas/a', 2000, ALONE_FROM - 1);
    const big2 = job('https://cas/a', 9 << 20, 64 << 20);
    expect(byUrl([a1, big, b1, a2, big2])).toEqual([[a1, a2], [big], [b1], [big2]]);
  });
});
