/**
 * The per-client rate limit: one token bucket per client address, shared by all its connections,
 * so opening more connections buys a client nothing. A Transform per answer waits for tokens
 * before passing each chunk on; backpressure keeps memory to the stream's buffers.
 */
import { Transform, type TransformCallback } from 'node:stream';

export class ClientBuckets {
  readonly #rate: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** `bytesPerSecond` ≤ 0: no limit. */
  constructor(bytesPerSecond: number) {
    this.#rate = bytesPerSecond;
  }

  get limited(): boolean {
    return this.#rate > 0;
  }

  /** Takes `n` bytes' worth for `client`; returns how many ms to wait before sending them. */
  take(client: string, n: number, now = Date.now()): number {
    if (!this.limited) return 0;
    const b = this.#buckets.get(client) ?? { tokens: this.#rate, at: now };
    // Refill, at most one second's worth of burst.
    b.tokens = Math.min(this.#rate, b.tokens + ((now - b.at) / 1000) * this.#rate);
    b.at = now;
    b.tokens -= n;
    this.#buckets.set(client, b);
    if (this.#buckets.size > 10_000) this.#buckets.delete(this.#buckets.keys().next().value as string);
    return b.tokens >= 0 ? 0 : Math.ceil((-b.tokens / this.#rate) * 1000);
  }

  /** A pass-through that holds each chunk until the client's bucket allows it. */
  stream(client: string): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, done: TransformCallback) => {
        const wait = this.take(client, chunk.length);
        if (wait === 0) done(null, chunk);
        else setTimeout(() => done(null, chunk), wait);
      },
    });
  }
}
