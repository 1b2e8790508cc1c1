/**
 * The runners that take a Xet window's ranges off its queue, each one connection: `first` at
 * once until a range shows the link caps a connection, then up to `max`. Every runner past the
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
}

export async function runRanges<T>(o: RangeRunnersOptions<T>): Promise<void> {
  const { queue, max } = o;
  const runners: Promise<void>[] = [];
  let wanted = Math.max(1, Math.min(o.capped() ? max : o.first, max));
  let live = 0;
  const spawn = () => {
    const extra = live > 0;
    if (extra && !slots.extra()) return false;
    live += 1;
    runners.push(
      runner().finally(() => {
        live -= 1;
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
    onCapped: () => {
      o.onCapped();
      wanted = max;
      more();
    },
    onUncapped: o.onUncapped,
  });
  const runner = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      await o.run(item, slots);
      // Room another download gave back: a range still queued may open beside this one.
      more();
    }
  };
  more();
  // Runners added while these run (a capped link) are waited for too.
  for (let waited = 0; waited < runners.length;) {
    const now = runners.length;
    await Promise.all(runners.slice(waited, now));
    waited = now;
  }
}
