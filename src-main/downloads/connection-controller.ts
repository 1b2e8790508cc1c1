/**
 * How many range connections one file uses, decided from what the link gives: start with one
 * (and, when the file's size deserves several, open them all once the first connection shows in
 * one short interval that the link caps it, instead of ramping up: a middle-sized file would be
 * over before the ramp), double while the file's throughput keeps rising (a far CDN edge caps each connection well below
 * the link), settle between the last two counts when it plateaus, halve on 429/503 (the server
 * asks for less), step down when throughput sags well below the plateau for a while (congestion),
 * and now and then probe one more in case the link got better. Pure: fed byte counts and times,
 * so it is tested without a network. A global budget bounds connections across all files.
 */

/**
 * Connections all downloads together may hold beyond each file's first: 40, what `aria2c`'s
 * defaults give a list of files (5 at once x 8). At 24, a snapshot of 12 MiB shards (three files
 * at once, twelve connections each) was held to 27 connections where aria2c ran 40, and on a link
 * that caps each connection (a far CDN edge) connections are the throughput.
 */
export const DEFAULT_CONNECTION_BUDGET = 40;

/** Connections all downloads together may hold beyond each file's first. */
export class ConnectionBudget {
  readonly #max: number;
  #extra = 0;

  constructor(max: number) {
    this.#max = max;
  }

  get inUse(): number {
    return this.#extra;
  }

  get max(): number {
    return this.#max;
  }

  /** One more connection beyond a file's first, if the budget has room. */
  tryAcquire(): boolean {
    if (this.#extra >= this.#max) return false;
    this.#extra++;
    return true;
  }

  release(): void {
    this.#extra = Math.max(0, this.#extra - 1);
  }
}

export interface ControllerOptions {
  /** The most connections for this file (the setting: Auto is 16). */
  cap: number;
  /** Measure this long after a change before judging it (covers first-byte latency). */
  intervalMs?: number;
  /** A rise smaller than this fraction is a plateau. */
  minGain?: number;
  /** After settling, try one more this often. */
  probeEveryMs?: number;
  /** After a 429/503, add nothing for this long. */
  cooldownMs?: number;
  /**
   * Connections already this fast (bytes/s each) are not capped by a far edge: more would only
   * cost CPU (measured on loopback: 0.7× with four). CDN per-connection caps users meet are
   * 10–60 MB/s; above 100 MB/s the line, the disk or the hash is the limit.
   */
  fastPerConnection?: number;
  /**
   * Connections the file's size deserves (known before the first byte): opened together after the
   * first `sizingMs` unless that first connection alone is already fast (default 1: ramp from one).
   */
  atOnce?: number;
  /** How long the first connection runs alone before `atOnce` is judged (default 100 ms). */
  sizingMs?: number;
  /**
   * Open `atOnce` from the first request, with no sizing run: for a file so small that the run
   * (first bytes plus `sizingMs`) would be a large part of its whole time on a capped link, while
   * a few extra requests on a fast link cost little in a file this size.
   */
  openAtOnce?: boolean;
}

type Phase = 'sizing' | 'warming' | 'measuring' | 'holding';

export class ConnectionController {
  readonly cap: number;
  readonly #interval: number;
  readonly #minGain: number;
  readonly #probeEvery: number;
  readonly #cooldown: number;
  readonly #fast: number;
  readonly #atOnce: number;
  readonly #sizingMs: number;
  readonly #openAtOnce: boolean;
  #target = 1;
  #phase: Phase = 'warming';
  #phaseAt = 0;
  #phaseBytes = 0;
  /** The throughput with the count before the last change, and that count. */
  #before: { n: number; rate: number } | null = null;
  #plateau = 0;
  #sagging = 0;
  #quietUntil = 0;
  #lastProbe = 0;
  #started = false;
  /** The count was just set to what the size deserves: judged on whether it scaled as a capped link does. */
  #jumped = false;
  /** The first connection's slow reading was read a second time before the jump (a stall is a moment, a cap lasts). */
  #lookedTwice = false;

  constructor(opts: ControllerOptions) {
    this.cap = Math.max(1, Math.floor(opts.cap));
    this.#interval = opts.intervalMs ?? 300;
    this.#minGain = opts.minGain ?? 0.1;
    this.#probeEvery = opts.probeEveryMs ?? 8000;
    this.#cooldown = opts.cooldownMs ?? 5000;
    this.#fast = opts.fastPerConnection ?? 100e6;
    this.#atOnce = Math.min(this.cap, Math.max(1, Math.floor(opts.atOnce ?? 1)));
    this.#sizingMs = opts.sizingMs ?? 100;
    this.#openAtOnce = opts.openAtOnce === true && this.#atOnce > 1;
  }

  /** Connections this file should have now. */
  get target(): number {
    return this.#target;
  }

  #to(phase: Phase, now: number, bytes: number): void {
    this.#phase = phase;
    this.#phaseAt = now;
    this.#phaseBytes = bytes;
  }

  /**
   * Fed the file's bytes received so far and the time (ms), at least every interval; returns the
   * target. `active` is how many connections actually run (a budget may hold some back).
   */
  tick(now: number, bytes: number, active = this.#target): number {
    if (!this.#started) {
      this.#started = true;
      if (this.#openAtOnce) {
        // Held there: the file is over before a doubling could be judged; steps down on congestion as ever.
        this.#target = this.#atOnce;
        this.#lastProbe = now;
        this.#to('holding', now, bytes);
        return this.#target;
      }
      this.#to(this.#atOnce > 1 ? 'sizing' : 'warming', now, bytes);
      return this.#target;
    }
    const elapsed = now - this.#phaseAt;
    if (this.#phase === 'sizing') {
      // Timed from the first bytes: a request's wait on a busy machine is not the link's speed.
      if (bytes === this.#phaseBytes) this.#to('sizing', now, bytes);
      return elapsed < this.#sizingMs || bytes === this.#phaseBytes ? this.#target : this.#sized(now, bytes, elapsed);
    }
    if (elapsed < this.#interval) return this.#target;
    const rate = ((bytes - this.#phaseBytes) * 1000) / elapsed;
    switch (this.#phase) {
      case 'warming':
        // The first interval after a change pays the new connections' first-byte wait: not judged.
        this.#to('measuring', now, bytes);
        break;
      case 'measuring': {
        const before = this.#before;
        // The reading after the jump: each connection now gets what a capped link never gives,
        // so the slow first reading was a stall (a busy loopback), not a cap: back to one.
        if (this.#jumped && rate / Math.max(1, Math.min(this.#target, active)) >= this.#fast / 4) {
          this.#jumped = false;
          this.#target = 1;
          this.#plateau = rate;
          this.#before = null;
          this.#lastProbe = now;
          this.#to('holding', now, bytes);
          break;
        }
        // After the size's jump, a link that caps each connection gives nearly n times one; a
        // busy machine's loopback gives two or three times: settle lower instead of doubling on.
        const sublinear = this.#jumped && before !== null && rate < before.rate * (this.#target / before.n) * 0.6;
        this.#jumped = false;
        if (before && (sublinear || rate < before.rate * (1 + this.#minGain))) {
          // No real gain: settle between the last two counts (or go back when even that was one more).
          this.#target = Math.max(before.n, Math.min(this.#target - 1, Math.round((before.n + this.#target) / 2)));
          this.#plateau = Math.max(rate, before.rate);
          this.#before = null;
          this.#lastProbe = now;
          this.#to('holding', now, bytes);
          break;
        }
        const n = Math.min(this.cap, active);
        if (n >= this.cap || now < this.#quietUntil || active < this.#target || rate / Math.max(1, n) >= this.#fast) {
          // At the cap (or held back by the budget): this is the plateau for now.
          this.#plateau = rate;
          this.#before = null;
          this.#lastProbe = now;
          this.#to('holding', now, bytes);
          break;
        }
        this.#before = { n, rate };
        this.#target = Math.min(this.cap, n * 2);
        this.#to('warming', now, bytes);
        break;
      }
      case 'holding': {
        // Congestion: well below the plateau three intervals running: one fewer, and a new baseline.
        if (this.#plateau > 0 && rate < this.#plateau * 0.7 && this.#target > 1) {
          this.#sagging++;
          if (this.#sagging >= 3) {
            this.#target -= 1;
            this.#sagging = 0;
            this.#plateau = rate;
          }
        } else {
          this.#sagging = 0;
          this.#plateau = Math.max(this.#plateau * 0.9, rate);
        }
        const fast = rate / Math.max(1, this.#target) >= this.#fast;
        if (now - this.#lastProbe >= this.#probeEvery && now >= this.#quietUntil && this.#target < this.cap && active >= this.#target && !fast) {
          this.#before = { n: this.#target, rate };
          this.#target += 1;
          this.#lastProbe = now;
          this.#to('warming', now, bytes);
          break;
        }
        this.#to('holding', now, bytes);
        break;
      }
    }
    return this.#target;
  }

  /** After the first connection's short run: all the size deserves at once, unless it alone is already fast. */
  #sized(now: number, bytes: number, elapsed: number): number {
    const rate = ((bytes - this.#phaseBytes) * 1000) / elapsed;
    // A quarter of the fast mark: the caps this is for (a far CDN edge: 8–20 MB/s per connection) sit
    // well below it, while one connection's first 100 ms on a loaded loopback reads 30–50 MB/s (it
    // had opened 16 there: 0.63× one connection); a link in between ramps up as before.
    if (rate >= this.#fast / 4) {
      this.#plateau = rate;
      this.#lastProbe = now;
      this.#to('holding', now, bytes);
      return this.#target;
    }
    // A second look before the jump: a loaded loopback's first reads can stall for a moment
    // (it had opened 16 there: 0.79x one connection, ~50 MB more), a far edge's cap lasts.
    if (!this.#lookedTwice) {
      this.#lookedTwice = true;
      this.#to('sizing', now, bytes);
      return this.#target;
    }
    this.#before = { n: 1, rate };
    this.#target = this.#atOnce;
    this.#jumped = true;
    this.#to('warming', now, bytes);
    return this.#target;
  }

  /** The server said 429 or 503: half as many, and no additions for a while. */
  throttled(now: number, bytes: number): number {
    this.#target = Math.max(1, Math.floor(this.#target / 2));
    this.#quietUntil = now + this.#cooldown;
    this.#before = null;
    this.#plateau = 0;
    this.#lastProbe = now;
    this.#to('holding', now, bytes);
    return this.#target;
  }
}
