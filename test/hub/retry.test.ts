import { describe, expect, it } from 'vitest';
import { RETRY_POLICIES, retryDelayMs } from '../../src-main/hub/retry';

describe('retry policy', () => {
  it('doubles from the base and stops at the cap', () => {
    const p = RETRY_POLICIES.download;
    expect([0, 1, 2, 3, 4, 5, 10].map((r) => retryDelayMs(p, r))).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000]);
    expect(retryDelayMs(RETRY_POLICIES.hubRequest, 0)).toBe(300);
    expect(retryDelayMs(RETRY_POLICIES.rangeReconnect, 9)).toBe(2000);
  });

  it("obeys the server's Retry-After, bounded so a hostile header cannot park a request for long", () => {
    expect(retryDelayMs(RETRY_POLICIES.hubRequest, 0, 2)).toBe(2000);
    expect(retryDelayMs(RETRY_POLICIES.hubRequest, 0, 86_400)).toBe(30_000);
    expect(retryDelayMs(RETRY_POLICIES.download, 3, 0)).toBe(0);
    expect(retryDelayMs(RETRY_POLICIES.download, 1, Number.NaN)).toBe(500);
  });
});
