/**
 * Fault knobs, per request: a matching request consumes one use of the first matching fault.
 * drop: close the connection after N body bytes; stall: stop sending after N bytes and keep the
 * connection open; corrupt: flip one byte at an offset of the file; status: answer with an HTTP
 * error (429/5xx, optional Retry-After); throttle: send at a fixed rate.
 */
export type FaultKind = 'drop' | 'stall' | 'corrupt' | 'status' | 'throttle';

export interface Fault {
  kind: FaultKind;
  /** Which server: the API origin, the CDN origin, or either. */
  origin?: 'api' | 'cdn' | 'any';
  /** Only requests whose path contains this (e.g. a file name or an LFS oid). */
  pathIncludes?: string;
  /** Only this method (GET, HEAD…). */
  method?: string;
  afterBytes?: number;
  /** For corrupt: the file offset whose byte is flipped. */
  offset?: number;
  status?: number;
  retryAfter?: number;
  bytesPerSecond?: number;
  /** How many requests it applies to (default 1; Infinity for all). */
  times?: number;
}

export class FaultBook {
  #faults: (Fault & { left: number })[] = [];

  add(fault: Fault): void {
    this.#faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.#faults = [];
  }

  /** Takes the faults that apply to this request (one use each). */
  take(origin: 'api' | 'cdn', method: string, path: string): Fault[] {
    const hits: Fault[] = [];
    for (const f of this.#faults) {
      if (f.left <= 0) continue;
      if (f.origin && f.origin !== 'any' && f.origin !== origin) continue;
      if (f.method && f.method !== method) continue;
      if (f.pathIncludes && !decodeURIComponent(path).includes(f.pathIncludes)) continue;
      f.left -= 1;
      hits.push(f);
    }
    return hits;
  }
}
