/**
 * First come, first served, one at a time, with a bounded waiting line: the inference host answers
 * one request at a time, and a client should learn at once (429) that the line is full rather than
 * wait without end. A waiter whose client leaves is taken out of the line.
 */
export class QueueFull extends Error {}

export class FifoGate {
  readonly #max: number;
  #busy = false;
  readonly #line: { go: () => void; stop: (e: Error) => void }[] = [];

  constructor(maxWaiting: number) {
    this.#max = maxWaiting;
  }

  get waiting(): number {
    return this.#line.length;
  }

  /** Resolves with `release` once it is this caller's turn. */
  enter(signal: AbortSignal): Promise<() => void> {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.#line.shift();
      if (next) next.go();
      else this.#busy = false;
    };
    if (!this.#busy) {
      this.#busy = true;
      return Promise.resolve(release);
    }
    if (this.#line.length >= this.#max) return Promise.reject(new QueueFull());
    return new Promise((resolve, reject) => {
      const entry = {
        go: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(release);
        },
        stop: reject,
      };
      const onAbort = () => {
        const i = this.#line.indexOf(entry);
        if (i !== -1) this.#line.splice(i, 1);
        reject(new Error('the client left'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#line.push(entry);
    });
  }
}
