/**
 * First come, first served, with a bounded waiting line: requests for the loaded model run at once
 * up to its sequences (node-llama-cpp batches them together), a request for another model waits
 * until nothing is running (the host holds one model), and a client learns at once (429) that the
 * line is full rather than wait without end. Strictly in order: a request is let in only when all
 * before it are, so no model or client is starved. A waiter whose client leaves is taken out.
 */
export class QueueFull extends Error {}

interface Waiter {
  key: string;
  go: () => void;
}

export class FifoGate {
  readonly #max: number;
  readonly #capacity: (key: string) => number;
  #running = 0;
  #runningKey: string | null = null;
  readonly #line: Waiter[] = [];

  /** `capacity(key)`: how many requests for that model may run at once now. */
  constructor(maxWaiting: number, capacity: (key: string) => number = () => 1) {
    this.#max = maxWaiting;
    this.#capacity = capacity;
  }

  get waiting(): number {
    return this.#line.length;
  }

  get running(): number {
    return this.#running;
  }

  #fits(key: string): boolean {
    return this.#running === 0 || (this.#runningKey === key && this.#running < Math.max(1, this.#capacity(key)));
  }

  #admit(key: string): () => void {
    this.#running++;
    this.#runningKey = key;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running--;
      if (this.#running === 0) this.#runningKey = null;
      this.poke();
    };
  }

  /** Lets in whoever can go now (after a release, or when the capacity grew: a model finished loading). */
  poke(): void {
    while (this.#line.length && this.#fits((this.#line[0] as Waiter).key)) (this.#line.shift() as Waiter).go();
  }

  /** Resolves with `release` once it is this caller's turn at model `key`. */
  enter(signal: AbortSignal, key = ''): Promise<() => void> {
    if (this.#line.length === 0 && this.#fits(key)) return Promise.resolve(this.#admit(key));
    if (this.#line.length >= this.#max) return Promise.reject(new QueueFull());
    return new Promise((resolve, reject) => {
      const entry: Waiter = {
        key,
        go: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.#admit(key));
        },
      };
      const onAbort = () => {
        const i = this.#line.indexOf(entry);
        if (i !== -1) this.#line.splice(i, 1);
        reject(new Error('the client left'));
        this.poke();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#line.push(entry);
    });
  }
}
