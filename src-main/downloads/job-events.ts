/**
 * What the outside sees of the download queue: a job's change pushed to the listener (at most
 * ~10 times a second per job for progress, at once for state changes), its speed and ETA computed
 * then, and the queue persisted (at once for state changes, within 2 s for progress).
 */
import type { QueueStore } from './queue-store';
import type { DownloadJob } from './types';

/** Bytes per second over the last ~3 s, in 100 ms buckets (cheap at any chunk rate). */
export class SpeedMeter {
  #buckets: { slot: number; bytes: number }[] = [];
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  add(bytes: number): void {
    const slot = Math.floor(this.#now() / 100);
    const last = this.#buckets.at(-1);
    if (last && last.slot === slot) last.bytes += bytes;
    else {
      this.#buckets.push({ slot, bytes });
      if (this.#buckets.length > 30) this.#buckets.shift();
    }
  }

  rate(): number {
    const now = Math.floor(this.#now() / 100);
    const recent = this.#buckets.filter((b) => b.slot > now - 30);
    if (!recent.length) return 0;
    const span = Math.max(2, now - (recent[0] as { slot: number }).slot + 1) / 10;
    return recent.reduce((a, b) => a + b.bytes, 0) / span;
  }

  reset(): void {
    this.#buckets = [];
  }
}

export interface JobEventsOptions {
  store: QueueStore;
  /** Every job, in the order they are saved. */
  jobs: () => DownloadJob[];
  onChange?: (job: DownloadJob) => void;
  /** Minimum interval between progress events of one job (default 100 ms). */
  intervalMs?: number;
}

export class JobEvents {
  readonly #o: JobEventsOptions;
  readonly #meters = new Map<string, SpeedMeter>();
  readonly #lastEmit = new Map<string, number>();
  #saveTimer: NodeJS.Timeout | null = null;

  constructor(o: JobEventsOptions) {
    this.#o = o;
  }

  /** The job's speed meter (made on first use). */
  meter(jobId: string): SpeedMeter {
    let m = this.#meters.get(jobId);
    if (!m) {
      m = new SpeedMeter();
      this.#meters.set(jobId, m);
    }
    return m;
  }

  /** Nothing moves (paused, retrying, stopped): no speed carried over. */
  resetMeter(jobId: string): void {
    this.#meters.get(jobId)?.reset();
  }

  /** The job changed: progress (`important` false) is told at most once per interval, the rest at once. */
  changed(job: DownloadJob, important: boolean): void {
    const now = Date.now();
    const interval = this.#o.intervalMs ?? 100;
    // Called for every chunk: everything below runs at most ~10 times a second per job.
    if (!important && now - (this.#lastEmit.get(job.id) ?? 0) < interval) return;
    this.#lastEmit.set(job.id, now);
    const meter = this.#meters.get(job.id);
    if (job.state === 'downloading' && meter && !job.retrying) {
      job.speed = Math.round(meter.rate());
      job.etaSeconds = job.speed > 0 ? Math.ceil((job.bytesTotal - job.bytesDone) / job.speed) : null;
    }
    this.#o.onChange?.(structuredClone(job));
    this.save(important);
  }

  /** Persists the queue now, or within 2 s (progress is not worth a write per event). */
  save(now = false): void {
    if (now) {
      if (this.#saveTimer) clearTimeout(this.#saveTimer);
      this.#saveTimer = null;
      this.#o.store.save(this.#o.jobs());
      return;
    }
    this.#saveTimer ??= setTimeout(() => {
      this.#saveTimer = null;
      this.#o.store.save(this.#o.jobs());
    }, 2000);
    this.#saveTimer.unref?.();
  }
}
