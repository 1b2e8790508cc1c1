/**
 * The fake CAS's fault knobs, per request like the Hub's FaultBook: a matching request consumes one
 * use. corrupt: flip the byte at `offset` of a xorb's serialized bytes (a header or data byte);
 * status: answer `status` (429 with Retry-After, 5xx) on reconstruction or xorb requests; expire:
 * answer a xorb request 403 as an expired presigned URL does; drop: cut the connection after
 * `afterBytes` body bytes. The per-connection rate is the Hub's Link (`link.set({perConnection})`),
 * shared with the CDN so one knob shapes both protocols alike.
 */
export type XetFaultKind = 'corrupt' | 'status' | 'expire' | 'drop';

export interface XetFault {
  kind: XetFaultKind;
  /** Which requests: reconstruction plans or xorb bytes (default: xorb). */
  target?: 'reconstruction' | 'xorb';
  /** Only this xorb (hex hash). */
  xorb?: string;
  offset?: number;
  status?: number;
  retryAfter?: number;
  afterBytes?: number;
  /** How many requests it applies to (default 1; Infinity for all). */
  times?: number;
}

export interface XetKnobs {
  /** Lifetime of a CAS read token (seconds, default 3600). */
  tokenTtlSec?: number;
  /** Presigned xorb URLs stop working this long after they are handed out (default: the Link's urlTtlMs, else 1 h). */
  urlTtlMs?: number;
  /** Answer v2 reconstructions with this status (404 or 501) to force the v1 fallback. */
  v2Status?: number;
  /** Ranges signed into one v2 URL (default 8; 1 means no multi-range entries). */
  maxRangesPerFetch?: number;
  /** Appended to the `xet-auth` link of resolve answers (the route still answers): shows a client used the link, not a route it built. */
  authLinkQuery?: string;
  /** A hostile CAS: changes each reconstruction answer (the JSON body, v1 or v2) before it is sent. */
  bendPlan?: (body: Record<string, unknown>, version: 1 | 2) => void;
}

export class XetFaultBook {
  #faults: (XetFault & { left: number })[] = [];

  add(fault: XetFault): void {
    this.#faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.#faults = [];
  }

  take(target: 'reconstruction' | 'xorb', xorb: string | null): XetFault[] {
    const hits: XetFault[] = [];
    for (const f of this.#faults) {
      if (f.left <= 0 || (f.target ?? 'xorb') !== target) continue;
      if (f.xorb && f.xorb !== xorb) continue;
      f.left -= 1;
      hits.push(f);
    }
    return hits;
  }
}
