/**
 * The queue's outward side: speed over the last ~3 s, progress told at most once per interval while
 * state changes are told at once, and the queue saved at once for those, later for progress.
 */
import { describe, expect, it } from 'vitest';
import { JobEvents, SpeedMeter } from '../../src-main/downloads/job-events';
import type { QueueStore } from '../../src-main/downloads/queue-store';
import type { DownloadJob } from '../../src-main/downloads/types';

function job(over: Partial<DownloadJob> = {}): DownloadJob {
  return {
    id: 'j1',
    request: { repoType: 'model', repo: 'acme/x', revision: 'main' },
    cacheDir: '/tmp/none',
    commit: null,
    files: [],
    state: 'downloading',
    error: null,
    createdAt: new Date(0).toISOString(),
    finishedAt: null,
    bytesDone: 0,
    bytesTotal: 1000,
    speed: 0,
    etaSeconds: null,
    retrying: null,
    skipped: [],
    ...over,
  };
}

describe('SpeedMeter', () => {
  it('averages the bytes of the last 3 s and forgets older ones', () => {
    let now = 100_000;
    const m = new SpeedMeter(() => now);
    m.add(1000);
    now += 1000;
    m.add(1000);
    // 2000 bytes over 1.1 s of buckets.
    expect(m.rate()).toBeCloseTo(2000 / 1.1, 0);
    now += 5000;
    expect(m.rate()).toBe(0);
    m.add(500);
    m.reset();
    expect(m.rate()).toBe(0);
  });
});

describe('JobEvents', () => {
  it('tells progress at most once per interval, state changes always, with speed and ETA', () => {
    const told: DownloadJob[] = [];
    const saves: number[] = [];
    const store: QueueStore = { load: () => [], save: (jobs) => saves.push(jobs.length) };
    const j = job();
    const events = new JobEvents({ store, jobs: () => [j], onChange: (x) => told.push(x), intervalMs: 60_000 });
    events.meter(j.id).add(400);
    j.bytesDone = 400;
    events.changed(j, false);
    events.changed(j, false);
    events.changed(j, false);
    expect(told.length).toBe(1);
    expect(told[0]?.speed).toBeGreaterThan(0);
    expect(told[0]?.etaSeconds).toBe(Math.ceil(600 / (told[0]?.speed ?? 1)));
    // Progress is saved later, a state change at once.
    expect(saves).toEqual([]);
    j.state = 'paused';
    events.changed(j, true);
    expect(told.length).toBe(2);
    expect(saves).toEqual([1]);
    // What was told is a copy: later changes to the job do not reach the listener's.
    j.bytesDone = 999;
    expect(told[1]?.bytesDone).toBe(400);
  });

  it('does not compute a speed while a retry waits', () => {
    const told: DownloadJob[] = [];
    const j = job({ retrying: { message: 'x', attempt: 1, maxAttempts: 8, nextAt: new Date().toISOString() }, speed: 0 });
    const events = new JobEvents({ store: { load: () => [], save: () => undefined }, jobs: () => [j], onChange: (x) => told.push(x) });
    events.meter(j.id).add(10_000);
    events.changed(j, true);
    expect(told[0]?.speed).toBe(0);
    expect(told[0]?.etaSeconds).toBeNull();
  });
});
