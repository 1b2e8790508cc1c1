/**
 * Many small requests to the Hub, paced: a few at once, a minimum gap between starts, and when one
 * answer says 429 the whole batch waits for its Retry-After (bounded by the one retry policy,
 * hub/retry.ts) instead of each request hammering on alone. A task rate-limited too often gives up
 * with its last error, which the caller turns into a clear state.
 */
import { HubError } from '../hub/errors';
import { RETRY_POLICIES, retryDelayMs } from '../hub/retry';

export interface PaceOptions {
  /** Requests in flight at once. */
  concurrency: number;
  /** Least time between two starts. */
  gapMs: number;
  /** Tries of one task while the Hub answers 429. */
  attempts: number;
  sleep?: (ms: number) => Promise<void>;
}

export const CHECK_PACE: PaceOptions = { concurrency: 6, gapMs: 5, attempts: 3 };

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `task` over every item, paced; each result is the task's value or the error it ended with. */
export type Paced<R> = { ok: true; value: R } | { ok: false; error: unknown };

export async function paced<T, R>(items: readonly T[], task: (item: T) => Promise<R>, opts: PaceOptions = CHECK_PACE): Promise<Paced<R>[]> {
  const sleep = opts.sleep ?? defaultSleep;
  const out: Paced<R>[] = new Array<Paced<R>>(items.length);
  let next = 0;
  let lastStart = 0;
  let pausedUntil = 0;
  const waitTurn = async () => {
    for (;;) {
      const now = Date.now();
      const at = Math.max(pausedUntil, lastStart + opts.gapMs);
      if (at <= now) {
        lastStart = now;
        return;
      }
      await sleep(at - now);
    }
  };
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      for (let attempt = 0; ; attempt++) {
        await waitTurn();
        try {
          out[i] = { ok: true, value: await task(items[i] as T) };
          break;
        } catch (error) {
          const limited = error instanceof HubError && error.code === 'RATE_LIMITED';
          if (!limited || attempt + 1 >= opts.attempts) {
            out[i] = { ok: false, error };
            break;
          }
          // Everyone waits: the Hub limits the client, not one request.
          pausedUntil = Math.max(pausedUntil, Date.now() + retryDelayMs(RETRY_POLICIES.hubRequest, attempt, error.details.retryAfterSeconds));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, items.length) }, worker));
  return out;
}
