/**
 * An answer's body whose buffers are lent (xorb-http.ts reads them into read slabs): queued as the
 * socket reads them, handed to the reader one at a time, each valid until the reader asks for the
 * next one or stops. A reader that keeps one longer holds it (read-slabs.ts holdRead).
 */
import { dropRead } from './read-slabs';

/**
 * A body whose buffers are lent: each is valid until the reader asks for the next one or stops;
 * holdRead (read-slabs.ts) keeps one longer.
 */
export interface LentBody extends AsyncIterable<Buffer> {
  /** Ends the body: a reader waiting gets `error`; the connection is not reused. */
  destroy(error?: Error): void;
  /** Settles once the body was read to its end, failed or was destroyed. */
  readonly closed: Promise<void>;
}

/** An answer's body, its lent views queued until the reader takes them. */
export class AnswerBody implements LentBody {
  readonly #queue: Buffer[] = [];
  readonly #drained: () => void;
  readonly #destroy: () => void;
  readonly closed: Promise<void>;
  #close!: () => void;
  queued = 0;
  #ended = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  constructor(drained: () => void, destroy: () => void) {
    this.#drained = drained;
    this.#destroy = destroy;
    this.closed = new Promise<void>((r) => (this.#close = r));
  }

  push(view: Buffer): void {
    this.#queue.push(view);
    this.queued += view.length;
    this.#notify();
  }

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  fail(error: Error): void {
    if (this.#ended) return;
    this.#error ??= error;
    this.#notify();
  }

  destroy(error?: Error): void {
    if (!this.#ended) {
      this.#error ??= error ?? new Error('the answer was stopped');
      this.#ended = true;
      this.#destroy();
    }
    // Views not yet read go back; the one lent is the reader's until it moves on.
    for (const v of this.#queue.splice(0)) dropRead(v);
    this.queued = 0;
    this.#notify();
    this.#close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    let lent: Buffer | null = null;
    try {
      for (;;) {
        if (lent) {
          dropRead(lent);
          lent = null;
        }
        const view = this.#queue.shift();
        if (view) {
          this.queued -= view.length;
          this.#drained();
          lent = view;
          yield view;
          continue;
        }
        if (this.#error) throw this.#error;
        if (this.#ended) return;
        await new Promise<void>((r) => (this.#wake = r));
      }
    } finally {
      if (lent) dropRead(lent);
      // A reader that stops early ends the answer: its connection is not reused.
      if (!this.#ended || this.#queue.length) this.destroy();
      this.#close();
    }
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }
}
