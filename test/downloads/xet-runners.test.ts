/**
 * downloads/xet-runners.ts: a Xet window's ranges run `first` at once until the link shows it caps
 * a connection, then up to `max` (a split range's verdict) or twice as many per verdict of a plain
 * request opened since the last doubling; back to `first` when the verdict is taken back. Each
 * runner past the first holds one of the connections all downloads share, gives it back when the
 * queue runs dry, and one the budget refused is tried again when a range ends.
 */
import { describe, expect, it } from 'vitest';
import { ConnectionBudget } from '../../src-main/downloads/connection-controller';
import { runRanges } from '../../src-main/downloads/xet-runners';

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Runs `n` ranges of a few ticks each and returns the most that ran at once. */
async function most(n: number, opts: { first: number; max: number; budget?: ConnectionBudget; capAt?: number; during?: (i: number) => void }) {
  let now = 0;
  let peak = 0;
  let capped = false;
  await runRanges({
    queue: Array.from({ length: n }, (_, i) => i),
    max: opts.max,
    first: opts.first,
    ...(opts.budget ? { budget: opts.budget } : {}),
    capped: () => capped,
    onCapped: () => (capped = true),
    onUncapped: () => (capped = false),
    run: async (i, slots) => {
      now += 1;
      peak = Math.max(peak, now);
      opts.during?.(i);
      if (i === opts.capAt) slots.onCapped?.();
      for (let t = 0; t < 3; t++) await tick();
      now -= 1;
    },
  });
  return peak;
}

describe('runRanges', () => {
  it('runs `first` at once until a range finds the link capped, then up to `max`', async () => {
    expect(await most(8, { first: 1, max: 4 })).toBe(1);
    expect(await most(8, { first: 1, max: 4, capAt: 0 })).toBe(4);
    expect(await most(8, { first: 8, max: 3 })).toBe(3);
  });

  it('takes each runner past the first from the shared budget and gives every one back', async () => {
    const budget = new ConnectionBudget(2);
    expect(await most(8, { first: 6, max: 6, budget })).toBe(3);
    expect(budget.inUse).toBe(0);
    // With the budget spent elsewhere the window still runs, on its first connection.
    const spent = new ConnectionBudget(1);
    expect(spent.tryAcquire()).toBe(true);
    expect(await most(4, { first: 4, max: 4, budget: spent })).toBe(1);
    expect(spent.inUse).toBe(1);
  });

  it('opens a refused runner once another download gives a connection back', async () => {
    const budget = new ConnectionBudget(1);
    expect(budget.tryAcquire()).toBe(true);
    const peak = await most(6, { first: 3, max: 3, budget, during: (i) => i === 0 && budget.release() });
    expect(peak).toBe(2);
    expect(budget.inUse).toBe(0);
  });

  it('rejects with a range’s failure', async () => {
    const run = runRanges({
      queue: [1, 2, 3],
      max: 2,
      first: 2,
      capped: () => false,
      onCapped: () => undefined,
      onUncapped: () => undefined,
      run: async (i) => {
        await tick();
        if (i === 2) throw new Error('range 2 failed');
      },
    });
    await expect(run).rejects.toThrow('range 2 failed');
  });

  it('doubles per plain verdict, only for a request opened since the last doubling, and goes back on an uncap', async () => {
    let now = 0;
    const peaks: number[] = [];
    let capped = false;
    await runRanges({
      queue: Array.from({ length: 40 }, (_, i) => i),
      max: 16,
      first: 2,
      capped: () => capped,
      onCapped: () => (capped = true),
      onUncapped: () => (capped = false),
      run: async (i, slots) => {
        slots.opened = (slots.opened ?? 0) + 1;
        const request = slots.opened;
        now += 1;
        peaks[i] = now;
        // Verdicts come a moment after the request opens. The first two requests both find the link
        // capped (a busy moment): one doubling, not two. The fourth (opened after it) doubles again;
        // the 13th's range takes the verdict back.
        await tick();
        if (i < 2 || i === 3) slots.onCapped?.(request);
        if (i === 12) slots.onUncapped?.();
        for (let t = 0; t < 2; t++) await tick();
        now -= 1;
      },
    });
    // 2, then 4 (one doubling for requests 1 and 2), then 8 (request 4's): never 16.
    expect(Math.max(...peaks)).toBe(8);
    // Runners past the first two left as their ranges ended.
    expect(Math.max(...peaks.slice(-10))).toBeLessThanOrEqual(2);
  });

  it('a range that fails tells the others to stop, starts no more, and ends the window with its error once all have stopped', async () => {
    const stop = new AbortController();
    const started: number[] = [];
    const ended: number[] = [];
    const run = runRanges({
      queue: [0, 1, 2, 3, 4, 5],
      max: 3,
      first: 3,
      capped: () => false,
      onCapped: () => undefined,
      onUncapped: () => undefined,
      onFailed: () => stop.abort(),
      run: async (i) => {
        started.push(i);
        if (i === 1) {
          await tick();
          throw new Error('range 1 failed');
        }
        // The others run until told to stop, then fail with their own (ignored) errors.
        await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
        await tick();
        ended.push(i);
        throw new Error(`range ${i} stopped`);
      },
    });
    await expect(run).rejects.toThrow('range 1 failed');
    expect(started).toEqual([0, 1, 2]);
    expect(ended.sort()).toEqual([0, 2]);
  });
});
