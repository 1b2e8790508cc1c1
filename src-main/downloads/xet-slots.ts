/**
 * A Xet transfer's xorb requests and the memory they may hold (xet-split-range.ts uses them): every
 * xorb request counts against the connection count; a large range takes spare ones once nothing
 * else waits. On a capped link more ranges open (a far CDN gives each connection little); on
 * loopback the first few are all the CPU can use. Blocks fetched ahead of their readers share one
 * budget, all ranges together (sixteen ranges eight blocks ahead each would be 512 MiB).
 */
import type { ConnectionBudget } from './connection-controller';

/** The transfer's request count: how many are open, how many it may open, and whether work waits. */
export interface XorbSlots {
  readonly max: number;
  inUse: number;
  /** Ranges still waiting for a connection (extra connections go to them first). */
  waiting(): number;
  /** Told the number of open requests when it changes. */
  onChange?(n: number): void;
  /**
   * Told when a request finds the link caps a connection: more ranges may open. A plain request
   * says which request it was (`opened` when it was opened); a split range says nothing (all at once).
   */
  onCapped?(request?: number): void;
  /** Requests opened so far in the transfer (numbers them for `onCapped`). */
  opened?: number;
  /** Whether a whole answer has shown the link does not cap a connection: slow starts are the machine's from then on. */
  readonly provenFast?: boolean;
  /** Whether a range has already found the link caps a connection: later ranges start split, at capped size. */
  readonly capped?: boolean;
  /** Told when a whole block came faster than any capped connection could bring it: the judgement was a loaded machine's. */
  onUncapped?(): void;
  /**
   * Takes room for a block fetched ahead of its range's reader (held in memory until read), or
   * says there is none; `release` gives it back. Without them a range holds what `aheadBlocks` allows.
   */
  hold?(bytes: number): boolean;
  release?(bytes: number): void;
  /** Calls `fn` once when room is next given back (a range turned away tries again). */
  onRoom?(fn: () => void): void;
  /** Takes one connection beyond the file's first from the downloads' shared budget, or says there is none; `extraDone` gives it back. */
  extra(): boolean;
  extraDone(): void;
}

/** Xorb bytes fetched ahead of their ranges' decoders, the whole transfer together. */
export const HELD_AHEAD = 32 << 20;

export interface TransferSlotsOptions {
  max: number;
  /** Connections all downloads together may hold beyond each file's first; none: no bound but `max`. */
  budget?: ConnectionBudget;
  /** Ranges still waiting for a connection. */
  waiting(): number;
  onChange?(n: number): void;
  /** Whether the transfer already knows the link caps a connection. */
  capped(): boolean;
  /** Told when a range finds that it does (a plain request: which one), and when a block shows it did not after all. */
  onCapped(request?: number): void;
  onUncapped(): void;
}

export function transferSlots(o: TransferSlotsOptions): XorbSlots {
  let held = 0;
  let provenFast = false;
  const roomWaiters: (() => void)[] = [];
  return {
    max: o.max,
    inUse: 0,
    opened: 0,
    waiting: o.waiting,
    ...(o.onChange ? { onChange: o.onChange } : {}),
    onCapped: o.onCapped,
    onUncapped: () => {
      provenFast = true;
      o.onUncapped();
    },
    get capped() {
      return o.capped();
    },
    get provenFast() {
      return provenFast;
    },
    hold: (n) => (held + n <= HELD_AHEAD ? ((held += n), true) : false),
    release: (n) => {
      held -= n;
      for (const fn of roomWaiters.splice(0)) queueMicrotask(fn);
    },
    onRoom: (fn) => void roomWaiters.push(fn),
    extra: () => !o.budget || o.budget.tryAcquire(),
    extraDone: () => o.budget?.release(),
  };
}
