/**
 * Whether the link to the Xet storage caps each connection (a far CDN), judged on a request's first
 * 100 ms of bytes, as the classic road judges: only then are more connections worth their CPU.
 * Both kinds of xorb request judge: a large range split into blocks (xet-split-range.ts), and a
 * plain one. A file made of many small xorbs never has a range large enough to split, and judged
 * only there it stayed at its first two connections on a far link (128 MiB at 1 MB/s per
 * connection took 70 s, where sixteen connections take 8).
 */

/** Under this, one connection's first 100 ms show a link that caps each connection (the classic road's mark). */
export const CAP_RATE = 25e6;
/** Requests at least this long say how fast a connection really reads (a short tail says little). */
const UNCAP_MIN_BYTES = 256 << 10;
const JUDGE_MS = 100;

/**
 * One request's first bytes. Timed from the request, not the first byte read: a busy event loop
 * reads a capped link's bytes, waiting in the socket, in one burst and would call it fast; a
 * loopback it makes look slow is set right by `cameUncapped` once a whole request is in.
 */
export class FirstBytes {
  readonly #askedAt: number;
  readonly #rate: number;
  #bytes = 0;

  constructor(askedAt: number, capRate = CAP_RATE) {
    this.#askedAt = askedAt;
    this.#rate = capRate;
  }

  /** Counts bytes read; null until 100 ms have passed since the request, then whether the link caps a connection. */
  push(bytes: number, now = performance.now()): boolean | null {
    this.#bytes += bytes;
    const ms = now - this.#askedAt;
    if (ms < JUDGE_MS) return null;
    return (this.#bytes * 1000) / ms < this.#rate;
  }
}

/** A whole request at twice the cap mark cannot have come over a capped connection: the first 100 ms were a loaded machine's. */
export function cameUncapped(bytes: number, ms: number, capRate = CAP_RATE): boolean {
  return bytes >= UNCAP_MIN_BYTES && bytes * 1000 >= 2 * capRate * ms;
}
