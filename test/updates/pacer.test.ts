/**
 * Many small Hub requests, paced: a few at once, a gap between starts, and a 429 pauses the whole
 * batch for its Retry-After before the task is tried again. Time is a test clock moved by the
 * pacer's own sleeps, so the waits are exact and nothing sleeps for real.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HubError } from '../../src-main/hub/errors';
import { paced } from '../../src-main/updates/pacer';

let clock = 1_000_000;
afterEach(() => vi.restoreAllMocks());

/** A test clock: a sleep wakes in a later turn of the event loop, the clock then set to its wake time (earliest first). */
function testClock() {
  clock = 1_000_000;
  vi.spyOn(Date, 'now').mockImplementation(() => clock);
  const slept: number[] = [];
  const timers: { wake: number; resolve: () => void }[] = [];
  const fire = () => {
    timers.sort((a, b) => a.wake - b.wake);
    const t = timers.shift();
    if (!t) return;
    clock = Math.max(clock, t.wake);
    t.resolve();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      slept.push(ms);
      timers.push({ wake: clock + ms, resolve });
      setImmediate(fire);
    });
  return { slept, sleep };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('paced requests', () => {
  it('returns each result in order, with at most `concurrency` in flight, each start a gap after the last', async () => {
    const { sleep } = testClock();
    let inFlight = 0;
    let most = 0;
    const starts: number[] = [];
    const out = await paced(
      [1, 2, 3, 4, 5, 6, 7],
      async (n) => {
        starts.push(clock);
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(120); // each answer takes longer than the gap, so they overlap
        inFlight--;
        if (n === 4) throw new Error('four');
        return n * 10;
      },
      { concurrency: 3, gapMs: 50, attempts: 3, sleep },
    );
    expect(out.map((r) => (r.ok ? r.value : (r.error as Error).message))).toEqual([10, 20, 30, 'four', 50, 60, 70]);
    expect(most).toBe(3);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
    expect(gaps.every((g) => g >= 50)).toBe(true);
  });

  it('on a 429 every worker waits for Retry-After, then the task is tried again; other errors are not retried', async () => {
    const { sleep, slept } = testClock();
    const tries = new Map<string, number>();
    const startedAt: Record<string, number[]> = {};
    const out = await paced(
      ['limited', 'other', 'broken'],
      async (name) => {
        tries.set(name, (tries.get(name) ?? 0) + 1);
        (startedAt[name] ??= []).push(clock);
        if (name === 'limited' && tries.get(name) === 1) throw new HubError('RATE_LIMITED', 'slow down', { retryAfterSeconds: 7 });
        if (name === 'broken') throw new HubError('NOT_FOUND', 'gone');
        await tick();
        return name;
      },
      { concurrency: 1, gapMs: 0, attempts: 3, sleep },
    );
    expect(out.map((r) => r.ok)).toEqual([true, true, false]);
    expect(tries).toEqual(
      new Map([
        ['limited', 2],
        ['other', 1],
        ['broken', 1],
      ]),
    );
    // The retry came 7 s later, and so did everything after it.
    expect((startedAt.limited?.[1] ?? 0) - (startedAt.limited?.[0] ?? 0)).toBe(7000);
    expect(slept).toContain(7000);
  });

  it('gives up after `attempts` 429s with the last error', async () => {
    const { sleep } = testClock();
    let calls = 0;
    const [r] = await paced(
      ['x'],
      async () => {
        calls++;
        throw new HubError('RATE_LIMITED', `limited ${calls}`, { retryAfterSeconds: 1 });
      },
      { concurrency: 2, gapMs: 0, attempts: 3, sleep },
    );
    expect(calls).toBe(3);
    expect(r?.ok).toBe(false);
    expect(r && !r.ok && (r.error as Error).message).toBe('limited 3');
  });

  it('runs nothing for no items', async () => {
    expect(await paced([], async () => 1)).toEqual([]);
  });
});
