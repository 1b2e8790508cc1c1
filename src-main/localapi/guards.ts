/**
 * Who may ask, before anything is read: the key (`Authorization: Bearer …`, compared in constant
 * time against the key of this moment, so a rotated key stops working at the next request), the
 * browser origins allowed by CORS, and a bound on requests in flight per client address, so one
 * client cannot hold every socket and body slot (429 with Retry-After past it).
 */
import type http from 'node:http';
import { secretsEqual } from '../base/http-guards';

/** Requests in flight from one address (beyond the model's queue and sequences, which are fewer). */
export const MAX_REQUESTS_PER_CLIENT = 32;

export type KeyCheck = 'ok' | 'missing' | 'wrong';

/** Whether the request carries the key `current` (read now, not at start). */
export function checkKey(req: http.IncomingMessage, current: string): KeyCheck {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return 'missing';
  return secretsEqual(m[1]?.trim(), current) ? 'ok' : 'wrong';
}

/** CORS headers for this request: none without an Origin, null for an origin not allowed. */
export function corsHeaders(req: http.IncomingMessage, allowed: string[]): Record<string, string> | null {
  const origin = req.headers.origin;
  if (origin === undefined) return {};
  if (!allowed.includes(origin) && !allowed.includes('*')) return null;
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

/** Counts requests in flight per remote address; `enter` says no past the bound. */
export class ClientLimiter {
  readonly #max: number;
  readonly #inFlight = new Map<string, number>();

  constructor(maxPerClient: number = MAX_REQUESTS_PER_CLIENT) {
    this.#max = maxPerClient;
  }

  inFlight(address: string): number {
    return this.#inFlight.get(address) ?? 0;
  }

  /** A release function (call it once the answer is done), or null when this address has too many in flight. */
  enter(address: string): (() => void) | null {
    const now = this.inFlight(address);
    if (now >= this.#max) return null;
    this.#inFlight.set(address, now + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.inFlight(address) - 1;
      if (left > 0) this.#inFlight.set(address, left);
      else this.#inFlight.delete(address);
    };
  }
}
