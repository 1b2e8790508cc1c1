/**
 * The one retry policy for talking to the Hub and its CDNs: exponential backoff from a base, capped,
 * and the server's Retry-After obeyed (bounded, so a hostile header cannot park us for a day).
 * Each kind of request names its policy here instead of writing its own formula.
 */
export interface RetryPolicy {
  /** The first retry's delay; each further one doubles it. */
  baseMs: number;
  /** No computed delay is longer than this. */
  maxMs: number;
  /** A Retry-After longer than this is cut to it. */
  retryAfterCapMs: number;
}

export const RETRY_POLICIES = {
  /** Metadata requests (GET/HEAD on the Hub's API): a few quick tries. */
  hubRequest: { baseMs: 300, maxMs: 30_000, retryAfterCapMs: 30_000 },
  /** Upload requests (preupload, LFS batch, file PUTs, the commit when it may be repeated). */
  upload: { baseMs: 500, maxMs: 30_000, retryAfterCapMs: 30_000 },
  /** A download (classic or Xet) starting over after a transient failure: it resumes, so it may wait longer. */
  download: { baseMs: 250, maxMs: 8000, retryAfterCapMs: 60_000 },
  /** One of several parallel range connections replaced while the others still progress. */
  rangeReconnect: { baseMs: 200, maxMs: 2000, retryAfterCapMs: 2000 },
} as const satisfies Record<string, RetryPolicy>;

/** How long to wait before retry number `retry` (0 for the first), given the server's Retry-After in seconds if it sent one. */
export function retryDelayMs(policy: RetryPolicy, retry: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0)
    return Math.min(policy.retryAfterCapMs, retryAfterSeconds * 1000);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry));
}
