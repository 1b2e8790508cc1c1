/**
 * Whether the link to the Xet storage caps each connection (a far CDN), judged on a request's first
 * 100 ms of bytes, as the classic road judges: only then are more connections worth their CPU.
 * Both kinds of xorb request judge: a large range split into blocks (xet-split-range.ts), and a
 * plain one. A file made of many small xorbs never has a range large enough to split, and judged
 * only there it stayed at its first two connections on a far link (128 MiB at 1 MB/s per
 * connection took 70 s, where sixteen connections take 8). Each verdict doubles the ranges open
 * (xet-runners.ts), only for a request opened since the last doubling, and a whole answer at twice
 * the mark ends verdicts for the transfer: a cold start's slow first 100 ms open four, not sixteen.
 */
import type { OpenedXorb } from '../xet/cas-client';
import type { SplitOptions, XorbBody } from './xet-split-range';

/** Under this, one connection's first 100 ms show a link that caps each connection (the classic road's mark). */
export const CAP_RATE = 25e6;
/** Requests at least this long say how fast a connection really reads (a short tail says little). */
const UNCAP_MIN_BYTES = 256 << 10;
const JUDGE_MS = 100;

/**
 * One request's first bytes, timed from `askedAt`. A split range times from the request (a busy
 * event loop reads a capped link's bytes, waiting in the socket, in one burst and would call it
 * fast); a plain request from its first byte (see judgedBody). A loopback a busy machine makes
 * look slow is set right by `cameUncapped` once a whole request is in.
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

/**
 * A plain request's body, read through: the 100 ms after its first byte judge the link, and a
 * whole answer fast enough says a capped judgement was a loaded machine's. Timed from the first
 * byte, not the request: the wait for it (a connection, a server's first chunk, a CLI's cold
 * start) says little of a connection's rate and had opened ranges on loopback; a busy loop that
 * then reads a capped link's bytes in one burst errs toward fewer connections. Bytes are read only
 * as the decoder asks (it waits for the disk and decodes on this thread), so the time it kept us
 * waiting is not the link's either: a slow reader would otherwise look like a far CDN.
 */
export function judgedBody(res: OpenedXorb['res'], askedAt: number, opts: SplitOptions, request: number): XorbBody['res'] {
  return Object.assign(judged(res, askedAt, opts, request), { destroy: (error?: Error) => void res.destroy(error) });
}

/**
 * judgedBody's reading. One generator function at module level: the objects of a generator made
 * per call (a closure) each get a map of their own, and the download's read loop, which sees one
 * per xorb request, was deoptimized and compiled again for each (~30 ms of compiling a time).
 */
async function* judged(res: OpenedXorb['res'], askedAt: number, opts: SplitOptions, request: number): AsyncGenerator<Buffer> {
  const { slots } = opts;
  let first: FirstBytes | null = null;
  // Once a whole answer proved the link fast, a slow start is the machine's: no more verdicts.
  let judging = !slots.provenFast;
  let got = 0;
  let paused = 0;
  for await (const buf of res as AsyncIterable<Buffer>) {
    got += buf.length;
    if (judging) {
      // The first buffer starts the clock; the bytes after it are counted.
      if (!first) first = new FirstBytes(performance.now() - paused, opts.capRate);
      const capped = got === buf.length ? null : first.push(buf.length, performance.now() - paused);
      if (capped !== null) judging = false;
      if (capped) slots.onCapped?.(request);
    }
    const handed = performance.now();
    yield buf;
    paused += performance.now() - handed;
  }
  if (slots.capped && cameUncapped(got, performance.now() - askedAt - paused, opts.capRate)) slots.onUncapped?.();
}
