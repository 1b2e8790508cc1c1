/**
 * The runners that take a Xet window's ranges off its queue, each one connection: `first` at
 * once until a range shows the link caps a connection, then up to `max`, and back to `first` as
 * ranges end if a whole answer shows that judgement was a busy machine's. Every runner past the
 * first holds one of the connections all downloads share (the classic road's ConnectionBudget)
 * until the queue runs dry; one the budget refused is tried again as each range ends.
 */
import type { ConnectionBudget } from './connection-controller';
import type { XorbSlots } from './xet-slots';
import { transferSlots } from './xet-slots';

export interface RangeRunnersOptions<T> {
  queue: T[];
  max: number;
  first: number;
  budget?: ConnectionBudget;
  /** Whether the transfer already knows the link caps a connection; told when a range finds it does, or did not. */
  capped(): boolean;
  onCapped(): void;
  onUncapped(): void;
  onConnections?(n: number): void;
  /** Fetches one queued item through `slots`; a rejection ends the window with it. */
  run(item: T, slots: XorbSlots): Promise<void>;
  /** Told at the first rejection: the other runners' items should stop (runRanges waits for them). */
  onFailed?(): void;
}

export async function runRanges<T>(o: RangeRunnersOptions<T>): Promise<void> {
  const { queue, max } = o;
  const runners: Promise<void>[] = [];
  const first = Math.max(1, Math.min(o.first, max));
  let wanted = o.capped() ? max : first;
  /** The last plain request opened when the runners last doubled. */
  let rampedAt = 0;
  let live = 0;
  let failure = null as { error: unknown } | null;
  const spawn = () => {
    if (failure) return false;
    const extra = live > 0;
    if (extra && !slots.extra()) return false;
    live += 1;
    runners.push(
      runner().finally(() => {
        if (extra) slots.extraDone();
      }),
    );
    return true;
  };
  const more = () => {
    while (live < wanted && queue.length && spawn());
  };
  const slots = transferSlots({
    max,
    ...(o.budget ? { budget: o.budget } : {}),
    waiting: () => queue.length,
    ...(o.onConnections ? { onChange: o.onConnections } : {}),
    capped: o.capped,
    onCapped: (request) => {
      o.onCapped();
      // Each verdict doubles the runners, and only a request opened after the last doubling may
      // double them again: a machine busy for a moment (a cold start) slows every request open
      // then, not those opened once it has passed. Without a request number: all at once.
      if (request === undefined) wanted = max;
      else if (request > rampedAt) {
        wanted = Math.min(max, wanted * 2);
        rampedAt = slots.opened ?? 0;
      }
      more();
    },
    onUncapped: () => {
      o.onUncapped();
      wanted = first;
    },
  });
  const runner = async () => {
    try {
      for (let item = queue.shift(); item !== undefined && !failure; item = queue.shift()) {
        await o.run(item, slots);
        // A capped judgement taken back (a busy machine, not the link): runners past the first few
        // leave as their range ends. `live` drops here, at once, so no more leave than that.
        if (live > wanted) return;
        // Room another download gave back: a range still queued may open beside this one.
        more();
      }
    } catch (error) {
      // The first failure is the window's; the others' (stopped because of it) are not.
      if (!failure) {
        failure = { error };
        o.onFailed?.();
      }
    } finally {
      live -= 1;
    }
  };
  more();
  // Runners added while these run (a capped link) are waited for too: nothing of the window is
  // still fetching or writing when this returns, failed or not.
  for (let waited = 0; waited < runners.length;) {
    const now = runners.length;
    await Promise.all(runners.slice(waited, now));
    waited = now;
  }
  if (failure) throw failure.error;
}
