/**
 * Memory that xorb bodies are read into, reused (docs/performance.md, "Xorb bodies read into
 * reused memory"). node:http reads every socket read into a fresh 64 KiB ArrayBuffer, and V8
 * counts the external memory allocated since its last full collection against the old
 * generation's limit: a 1 GiB download ran ~60 mark-compacts of a 10 MB heap, a second core's
 * worth of marking. Reads go into slabs of one buffer allocated once instead.
 *
 * A slab is lent with one reference (the reader's); whoever keeps a view of it past the moment the
 * reader lets go `holdRead`s it and `dropRead`s it when done, and the slab is reused once no
 * reference is left. Every mistake fails safe: a reference never dropped only keeps its slab out of
 * use (the pool lends fresh buffers when none is free, and is let go, whole, once idle: views
 * still held keep the old buffer alive for as long as they are read); only a drop too many could
 * reuse memory still read, and tests poison freed slabs to catch one.
 */

/** A slab: one socket read at most (node:http reads 64 KiB at a time too). */
export const SLAB_BYTES = 64 << 10;
/** Slabs per pool: 32 MiB of address space; only slabs ever lent are resident (free ones are reused last-in, first-out). */
const SLABS = 512;
/** A pool nothing took from for this long is let go. */
const IDLE_MS = 5000;

const POISON = 0xee;

class SlabPool {
  readonly buffer: Buffer;
  readonly #refs = new Int32Array(SLABS);
  readonly #free: number[] = [];
  inUse = 0;
  lastTake = 0;

  constructor() {
    this.buffer = Buffer.allocUnsafeSlow(SLABS * SLAB_BYTES);
    for (let i = SLABS - 1; i >= 0; i--) this.#free.push(i);
  }

  take(): Buffer | null {
    const i = this.#free.pop();
    if (i === undefined) return null;
    this.#refs[i] = 1;
    this.inUse += 1;
    this.lastTake = performance.now();
    return this.buffer.subarray(i * SLAB_BYTES, (i + 1) * SLAB_BYTES);
  }

  hold(view: Uint8Array): void {
    const i = this.#slab(view);
    this.#refs[i] = (this.#refs[i] as number) + 1;
  }

  drop(view: Uint8Array): void {
    const i = this.#slab(view);
    const left = (this.#refs[i] as number) - 1;
    if (left < 0) throw new Error('a read slab was given back more often than it was held');
    this.#refs[i] = left;
    if (left > 0) return;
    if (poison) this.buffer.fill(POISON, i * SLAB_BYTES, (i + 1) * SLAB_BYTES);
    this.#free.push(i);
    this.inUse -= 1;
  }

  #slab(view: Uint8Array): number {
    return Math.floor((view.byteOffset - this.buffer.byteOffset) / SLAB_BYTES);
  }
}

/** The pool each backing buffer belongs to: a view whose buffer is not one of them was never lent (hold and drop ignore it). */
const owners = new WeakMap<ArrayBufferLike, SlabPool>();
let pool: SlabPool | null = null;
let idleTimer: NodeJS.Timeout | null = null;
let poison = false;

/** Tests: freed slabs are overwritten, so a view read after its last drop reads garbage (and a download fails its check). */
export function poisonFreedReads(on: boolean): void {
  poison = on;
}

/** A slab to read into (SLAB_BYTES long, one reference: the caller's), or a fresh buffer when every slab is out. */
export function takeReadSlab(): Buffer {
  if (!pool) {
    pool = new SlabPool();
    owners.set(pool.buffer.buffer, pool);
  }
  const slab = pool.take();
  if (!idleTimer) {
    idleTimer = setInterval(letGoWhenIdle, IDLE_MS);
    idleTimer.unref();
  }
  return slab ?? Buffer.allocUnsafeSlow(SLAB_BYTES);
}

/** Keeps `view` (part of a lent slab) readable until the matching dropRead; false: not a slab's (nothing to hold). */
export function holdRead(view: Uint8Array): boolean {
  const owner = owners.get(view.buffer);
  owner?.hold(view);
  return owner !== undefined;
}

/** Gives back one reference to the slab under `view`: the last one frees the slab for another read. */
export function dropRead(view: Uint8Array): void {
  owners.get(view.buffer)?.drop(view);
}

/** Slabs lent and not yet given back (tests). */
export function readSlabsInUse(): number {
  return pool?.inUse ?? 0;
}

function letGoWhenIdle(): void {
  if (!pool || performance.now() - pool.lastTake < IDLE_MS) return;
  // Views still held keep the old buffer alive; no slab of it is lent again.
  pool = null;
  if (idleTimer) clearInterval(idleTimer);
  idleTimer = null;
}
