/**
 * A far link, simulated inside the server (these machines cannot shape traffic at the network
 * layer): a per-connection rate cap (a CDN edge's per-flow limit), an aggregate cap all
 * connections share (the user's line), a first-byte latency on every answer (distance and TLS),
 * random stalls of single connections (bytes stop, the socket stays open), and signed CDN links
 * that expire. Stalls come from a seeded generator, so a run is repeatable.
 */
export interface LinkShape {
  /** Bytes per second one connection gets at most. */
  perConnection?: number;
  /** Bytes per second all connections together get at most. */
  aggregate?: number;
  /** Milliseconds before every answer's first byte. */
  firstByteMs?: number;
  /** Chance that a body of at least 1 MiB stalls at a random point. */
  stallChance?: number;
  /** Signed CDN links stop working this long after the Hub hands them out. */
  urlTtlMs?: number;
  /** Seed of the stall generator (default 1). */
  seed?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Link {
  #shape: LinkShape = {};
  /** When the shared line is next free (ms, performance.now()). */
  #aggregateFreeAt = 0;
  #rand = mulberry32(1);
  /** Bodies that stalled, for tests. */
  stalls = 0;
  /** File bodies being sent now, and the most at once (connections as the server sees them). */
  open = 0;
  maxOpen = 0;

  /** A body starts; call the result when it is over. */
  opened(): () => void {
    this.open++;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    let closed = false;
    return () => {
      if (!closed) this.open--;
      closed = true;
    };
  }

  constructor(shape: LinkShape = {}) {
    this.set(shape);
  }

  get shape(): LinkShape {
    return { ...this.#shape };
  }

  set(shape: LinkShape): void {
    this.#shape = { ...shape };
    this.#rand = mulberry32(shape.seed ?? 1);
    this.#aggregateFreeAt = 0;
  }

  get shaped(): boolean {
    const s = this.#shape;
    return Boolean(s.perConnection || s.aggregate || s.firstByteMs || s.stallChance);
  }

  /** The size of each write: about 10 ms of one connection's rate (so little is in flight), 16 to 256 KiB. */
  chunkBytes(unshaped: number): number {
    const rate = this.#shape.perConnection ?? this.#shape.aggregate;
    return rate ? Math.max(16 << 10, Math.min(256 << 10, Math.floor(rate / 100))) : unshaped;
  }

  /** The first-byte wait of an answer. */
  async latency(): Promise<void> {
    if (this.#shape.firstByteMs) await sleep(this.#shape.firstByteMs);
  }

  /** Where a body of `length` bytes stalls (bytes sent before it), or null. */
  stallPoint(length: number): number | null {
    const chance = this.#shape.stallChance ?? 0;
    if (!chance || length < 1 << 20) return null;
    if (this.#rand() >= chance) return null;
    this.stalls++;
    return Math.floor(this.#rand() * length);
  }

  /** A pacer for one connection: await `send(n)` before writing n bytes. */
  pacer(): (n: number) => Promise<void> {
    let connFreeAt = 0;
    return async (n: number) => {
      const { perConnection, aggregate } = this.#shape;
      if (!perConnection && !aggregate) return;
      const now = performance.now();
      let until = now;
      if (perConnection) {
        connFreeAt = Math.max(connFreeAt, now) + (n / perConnection) * 1000;
        until = Math.max(until, connFreeAt);
      }
      if (aggregate) {
        // The shared line is booked in arrival order: a fair share for every connection.
        this.#aggregateFreeAt = Math.max(this.#aggregateFreeAt, now) + (n / aggregate) * 1000;
        until = Math.max(until, this.#aggregateFreeAt);
      }
      const wait = until - now;
      if (wait >= 1) await sleep(wait);
    };
  }

  /** The expiry a signed link handed out now carries (ms since the epoch), or a far one. */
  expiresAt(): number {
    return this.#shape.urlTtlMs ? Date.now() + this.#shape.urlTtlMs : 9_999_999_999_000;
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
