/**
 * Fault knobs, per request: a matching request consumes one use of the first matching fault.
 * drop: close the connection after N body bytes; stall: stop sending after N bytes and keep the
 * connection open; corrupt: flip one byte at an offset of the file; status: answer with an HTTP
 * error (429/5xx, optional Retry-After); throttle: send at a fixed rate.
 * Hostile servers, for the bounds every input from the Hub must meet: headers: set (or, with
 * null, remove) response headers; hugeBody: answer `status` with a body of `bytes` bytes (no
 * Content-Length, as a stream that never ends would); endlessPages: every listing page links a next
 * one; redirect: answer 302 to `location`; ignoreRange: answer 200 with the whole file to a Range
 * request; treeEntry: merge `set` into every file entry of tree and paths-info answers.
 */
export type FaultKind =
  'drop' | 'stall' | 'corrupt' | 'status' | 'throttle' | 'headers' | 'hugeBody' | 'endlessPages' | 'redirect' | 'ignoreRange' | 'treeEntry';

export interface Fault {
  kind: FaultKind;
  /** Which server: the API origin, the CDN origin, the upload host, or any. */
  origin?: 'api' | 'cdn' | 'upload' | 'any';
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
  /** For headers (null removes) and treeEntry. */
  set?: Record<string, unknown>;
  /** For hugeBody. */
  bytes?: number;
  /** For redirect. */
  location?: string;
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
  take(origin: 'api' | 'cdn' | 'upload', method: string, path: string): Fault[] {
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
