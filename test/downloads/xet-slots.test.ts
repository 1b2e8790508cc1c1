/**
 * A Xet transfer's slots (xet-slots.ts): blocks held ahead share one budget, room given back wakes
 * each waiting range once, and whether the link is capped is read live, so a range opened after
 * another found the cap starts split.
 */
import { describe, expect, it } from 'vitest';
import { HELD_AHEAD, transferSlots } from '../../src-main/downloads/xet-slots';

describe('transfer slots', () => {
  it('hold up to the budget, refuse past it, and wake waiting ranges once when room comes back', async () => {
    const slots = transferSlots({ max: 4, waiting: () => 0, capped: () => false, onCapped: () => {}, onUncapped: () => {} });
    const MiB = 1 << 20;
    let taken = 0;
    while (slots.hold?.(MiB)) taken += MiB;
    expect(taken).toBe(HELD_AHEAD);
    let woken = 0;
    slots.onRoom?.(() => woken++);
    slots.release?.(MiB);
    slots.release?.(MiB);
    await Promise.resolve();
    expect(woken).toBe(1);
    expect(slots.hold?.(2 * MiB)).toBe(true);
    expect(slots.hold?.(1)).toBe(false);
  });

  it('read whether the link is capped when asked, not when made', () => {
    let capped = false;
    const slots = transferSlots({ max: 4, waiting: () => 0, capped: () => capped, onCapped: () => (capped = true), onUncapped: () => (capped = false) });
    expect(slots.capped).toBe(false);
    slots.onCapped?.();
    expect(slots.capped).toBe(true);
    slots.onUncapped?.();
    expect(slots.capped).toBe(false);
  });
});
