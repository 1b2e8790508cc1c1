/** A job's view follows the worker's progress (state, bytes, via Xet) and its events are paced. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PublishJob } from '../../src-main/contract/publish';
import { applyCommitProgress, emitJob, EVENT_INTERVAL_MS, type Job } from '../../src-main/publish/job-progress';

function job(): Job {
  const view = {
    id: 'j',
    state: 'preparing',
    bytesTotal: 300,
    bytesHashed: 0,
    bytesSent: 0,
    via: null,
    xetBytesSent: 0,
    speed: 0,
    etaSeconds: null,
    active: [],
    cancellable: true,
    verify: null,
  } as unknown as PublishJob;
  return { view, files: [], made: [], run: null, cancelled: false, lastEmit: 0, timer: null, samples: [], doneBytes: 100, doneXetBytes: 40 };
}

afterEach(() => vi.useRealTimers());

describe('job progress', () => {
  it('folds a Xet part into the view on top of the parts already committed', () => {
    const j = job();
    const sizes = new Map([['a.gguf', 200]]);
    applyCommitProgress(j, { phase: 'uploadingLargeFiles', hashed: { 'a.gguf': 200 }, sent: { 'a.gguf': 50 }, via: 'xet', xorbBytes: 30 }, sizes);
    expect(j.view.state).toBe('uploading');
    expect(j.view.via).toBe('xet');
    expect([j.view.bytesHashed, j.view.bytesSent, j.view.xetBytesSent]).toEqual([300, 150, 70]);
    expect(j.view.active).toEqual([{ path: 'a.gguf', state: 'uploading', fraction: 0.25 }]);
    // A later message before the batch answered does not forget how the bytes travel.
    applyCommitProgress(j, { phase: 'committing', hashed: {}, sent: {}, via: null, xorbBytes: 30 }, sizes);
    expect(j.view.via).toBe('xet');
    expect(j.view.cancellable).toBe(false);
  });

  it('sends at most one event per interval, and the last state always goes out', () => {
    vi.useFakeTimers();
    const j = job();
    const sent: PublishJob[] = [];
    emitJob(j, (v) => sent.push(v));
    j.view.bytesSent = 200;
    emitJob(j, (v) => sent.push(v));
    expect(sent.map((v) => v.bytesSent)).toEqual([0]);
    vi.advanceTimersByTime(EVENT_INTERVAL_MS);
    expect(sent.map((v) => v.bytesSent)).toEqual([0, 200]);
    // Each event is a copy: later changes do not reach what was sent.
    j.view.active.push({ path: 'x', state: 'hashing', fraction: 0 });
    expect(sent[1]?.active).toEqual([]);
  });
});
