/** The adaptive connection count against simulated links: it rises, plateaus, backs off, and keeps its bounds. */
import { describe, expect, it } from 'vitest';
import { ConnectionBudget, ConnectionController } from '../../src-main/downloads/connection-controller';
import { sizingMsFor } from '../../src-main/downloads/http-spread';

const MB = 1e6;

/** Drives a controller for `ms` against a link giving `rate(n)` bytes/s with n connections; returns the targets seen. */
function drive(
  c: ConnectionController,
  rate: (n: number, t: number) => number,
  ms: number,
  start = { t: 0, bytes: 0 },
): { targets: number[]; t: number; bytes: number } {
  const targets: number[] = [];
  let { t, bytes } = start;
  c.tick(t, bytes);
  for (; t < start.t + ms; t += 50) {
    bytes += (rate(c.target, t) * 50) / 1000;
    targets.push(c.tick(t + 50, bytes));
  }
  return { targets, t, bytes };
}

describe('connection controller', () => {
  it('rises while a per-connection cap holds throughput back, and settles at the plateau of the line', () => {
    // 20 MB/s per connection, 200 MB/s for the whole line: ten connections fill it.
    const c = new ConnectionController({ cap: 16, intervalMs: 300 });
    const { targets } = drive(c, (n) => Math.min(n * 20 * MB, 200 * MB), 20_000);
    expect(Math.max(...targets)).toBeLessThanOrEqual(16);
    const settled = targets.slice(-100);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...settled)).toBeLessThanOrEqual(16);
    // It reached the plateau fast: within 3 s it had at least 8.
    expect(targets.slice(0, 60).some((n) => n >= 8)).toBe(true);
  });

  it('opens what the size deserves at once after one short interval on a capped link, and still rises from there', () => {
    const c = new ConnectionController({ cap: 16, intervalMs: 300, atOnce: 8, sizingMs: 100 });
    const { targets } = drive(c, (n) => Math.min(n * 8 * MB, 500 * MB), 3000);
    // 100 ms alone, read twice (a stall is a moment, a cap lasts), then eight together, not 2, 4, 8.
    expect(targets.slice(0, 4)).toEqual([1, 1, 1, 8]);
    expect(targets).not.toContain(2);
    expect(Math.max(...targets)).toBe(16);
    // A busy machine's loopback: eight give three times one (not eight times): it settles lower instead of doubling.
    const busy = new ConnectionController({ cap: 16, intervalMs: 300, atOnce: 8, probeEveryMs: 60_000 });
    const settled = drive(busy, (n) => Math.min(n, 3) * 15 * MB, 3000).targets;
    expect(Math.max(...settled)).toBe(8);
    expect(settled.at(-1)).toBeLessThanOrEqual(5);
    // On a link one connection fills, the sizing interval keeps it at one.
    const fast = new ConnectionController({ cap: 16, intervalMs: 300, atOnce: 8, probeEveryMs: 8000 });
    expect(Math.max(...drive(fast, () => 300 * MB, 5000).targets)).toBe(1);
  });

  it('a large file looks 200 ms before it sizes: a stall in a fast link’s first 100 ms does not open eight', () => {
    expect(sizingMsFor(96 << 20)).toBe(100);
    expect(sizingMsFor(512 << 20)).toBe(200);
    // Loopback on a busy machine: nothing for the first 75 ms of bytes, then 250 MB/s on one connection.
    const stalled = (_n: number, t: number) => (t < 75 ? 0.5 * MB : 250 * MB);
    // The second look (a stall is a moment) keeps even a 100 ms sizing at one.
    const short = new ConnectionController({ cap: 16, intervalMs: 300, atOnce: 8, sizingMs: 100, probeEveryMs: 60_000 });
    expect(Math.max(...drive(short, stalled, 2000).targets)).toBe(1);
    const long = new ConnectionController({ cap: 16, intervalMs: 300, atOnce: 8, sizingMs: sizingMsFor(512 << 20), probeEveryMs: 60_000 });
    expect(Math.max(...drive(long, stalled, 2000).targets)).toBe(1);
    // A far edge's cap still opens them after the longer look.
    const capped = new ConnectionController({ cap: 16, intervalMs: 300, atOnce: 8, sizingMs: sizingMsFor(512 << 20) });
    expect(drive(capped, (n) => n * 8 * MB, 1000).targets.slice(0, 9)).toEqual([1, 1, 1, 1, 1, 1, 1, 8, 8]);
  });

  it('a stall longer than both looks opens eight, then the reading after the jump gives them back', () => {
    // A loaded loopback: 0.5 MB/s for the first 450 ms, then 250 MB/s whatever the count (the CPU is the limit).
    const stalled = (_n: number, t: number) => (t < 450 ? 0.5 * MB : 250 * MB);
    const loop = new ConnectionController({ cap: 16, intervalMs: 300, atOnce: 8, sizingMs: 200, probeEveryMs: 60_000 });
    const { targets } = drive(loop, stalled, 3000);
    // Eight opened on the stalled readings, never sixteen (the old code doubled to 16 and settled at 12).
    expect(Math.max(...targets)).toBe(8);
    expect(targets.at(-1)).toBe(1);
    // A far edge's cap (8 MB/s a connection) still grows past the jump to the cap.
    const capped = new ConnectionController({ cap: 16, intervalMs: 300, atOnce: 8, sizingMs: 200 });
    expect(Math.max(...drive(capped, (n) => n * 8 * MB, 3000).targets)).toBe(16);
  });

  it('a small file opens what its size deserves with its first request, and holds it', () => {
    const c = new ConnectionController({ cap: 16, intervalMs: 300, atOnce: 12, openAtOnce: true, probeEveryMs: 60_000 });
    const { targets } = drive(c, (n) => n * 8 * MB, 1500);
    expect(c.target).toBe(12);
    expect(new Set(targets)).toEqual(new Set([12]));
    // One connection by choice (or a size that deserves one) is not spread.
    expect(new ConnectionController({ cap: 1, atOnce: 12, openAtOnce: true }).tick(0, 0)).toBe(1);
  });

  it('stays at one on a link one connection fills', () => {
    // Fast already: not a capped far edge, so it does not even probe (more would cost CPU).
    const fast = new ConnectionController({ cap: 16, intervalMs: 300, probeEveryMs: 8000 });
    expect(Math.max(...drive(fast, () => 300 * MB, 20_000).targets)).toBe(1);
    // Slow but not capped per connection (the line is full with one): a probe now and then, otherwise one.
    const full = new ConnectionController({ cap: 16, intervalMs: 300, probeEveryMs: 8000 });
    const { targets } = drive(full, () => 40 * MB, 20_000);
    expect(targets.filter((n) => n === 1).length / targets.length).toBeGreaterThan(0.85);
    expect(targets.at(-1)).toBeLessThanOrEqual(2);
  });

  it('halves on 429/503 and adds nothing during the cooldown', () => {
    const c = new ConnectionController({ cap: 16, intervalMs: 300, cooldownMs: 5000 });
    const run = drive(c, (n) => n * 20 * MB, 4000);
    const before = c.target;
    expect(before).toBeGreaterThanOrEqual(8);
    expect(c.throttled(run.t, run.bytes)).toBe(Math.floor(before / 2));
    const after = drive(c, (n) => n * 20 * MB, 4500, { t: run.t, bytes: run.bytes });
    expect(Math.max(...after.targets)).toBe(Math.floor(before / 2));
    expect(c.throttled(after.t, after.bytes)).toBe(Math.max(1, Math.floor(before / 4)));
  });

  it('never exceeds its cap, and steps down when the line congests', () => {
    const c = new ConnectionController({ cap: 4, intervalMs: 300 });
    const first = drive(c, (n) => n * 20 * MB, 5000);
    expect(Math.max(...first.targets)).toBe(4);
    // The line now gives half of what it did, whatever the count: one fewer after a few intervals.
    const sag = drive(c, () => 40 * MB, 3000, { t: first.t, bytes: first.bytes });
    expect(sag.targets.at(-1)).toBeLessThan(4);
  });

  it('the budget is shared: extra connections only while it has room', () => {
    const b = new ConnectionBudget(2);
    expect([b.tryAcquire(), b.tryAcquire(), b.tryAcquire()]).toEqual([true, true, false]);
    b.release();
    expect(b.tryAcquire()).toBe(true);
    expect(b.inUse).toBe(2);
  });
});
