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
/** A TLS connection's reads are one record each, 16 KiB at most: slabs of that size waste nothing. */
export const TLS_SLAB_BYTES = 16 << 10;
/** Each pool's address space; only slabs ever lent are resident (free ones are reused last-in, first-out). */
const POOL_BYTES = 32 << 20;
/** A pool nothing took from for this long is let go. */
const IDLE_MS = 5000;

const POISON = 0xee;

class SlabPool {
  readonly buffer: Buffer;
  readonly slabBytes: number;
  readonly #refs: Int32Array;
  readonly #free: number[] = [];
  inUse = 0;
  lastTake = 0;

  constructor(slabBytes: number) {
    this.slabBytes = slabBytes;
    const slabs = POOL_BYTES / slabBytes;
    this.buffer = Buffer.allocUnsafeSlow(POOL_BYTES);
    this.#refs = new Int32Array(slabs);
    for (let i = slabs - 1; i >= 0; i--) this.#free.push(i);
  }

  take(): Buffer | null {
    const i = this.#free.pop();
    if (i === undefined) return null;
    this.#refs[i] = 1;
    this.inUse += 1;
    this.lastTake = performance.now();
    return this.buffer.subarray(i * this.slabBytes, (i + 1) * this.slabBytes);
  }

  hold(view: Uint8Array): void {
    const i = this.#slab(view);
    const refs = this.#refs[i] as number;
    // A slab at no reference is free and may be lent again: holding a view of it would share it.
    if (refs <= 0) throw new Error('a view of a free read slab was held');
    this.#refs[i] = refs + 1;
  }

  drop(view: Uint8Array): void {
    const i = this.#slab(view);
    const left = (this.#refs[i] as number) - 1;
    if (left < 0) throw new Error('a read slab was given back more often than it was held');
    this.#refs[i] = left;
    if (left > 0) return;
    if (poison) this.buffer.fill(POISON, i * this.slabBytes, (i + 1) * this.slabBytes);
    this.#free.push(i);
    this.inUse -= 1;
  }

  #slab(view: Uint8Array): number {
    return Math.floor((view.byteOffset - this.buffer.byteOffset) / this.slabBytes);
  }
}

/** The pool each backing buffer belongs to: a view whose buffer is not one of them was never lent (hold and drop ignore it). */
const owners = new WeakMap<ArrayBufferLike, SlabPool>();
/** The pools by slab size. */
const pools = new Map<number, SlabPool>();
let idleTimer: NodeJS.Timeout | null = null;
let poison = false;

/** Tests: freed slabs are overwritten, so a view read after its last drop reads garbage (and a download fails its check). */
export function poisonFreedReads(on: boolean): void {
  poison = on;
}

/** A slab to read into (`bytes` long, one reference: the caller's), or a fresh buffer when every slab of that size is out. */
export function takeReadSlab(bytes = SLAB_BYTES): Buffer {
  let pool = pools.get(bytes);
  if (!pool) {
    pool = new SlabPool(bytes);
    pools.set(bytes, pool);
    owners.set(pool.buffer.buffer, pool);
  }
  const slab = pool.take();
  if (!idleTimer) {
    idleTimer = setInterval(letGoWhenIdle, IDLE_MS);
    idleTimer.unref();
  }
  return slab ?? Buffer.allocUnsafeSlow(bytes);
}

/**
 * Keeps `view` (part of a lent slab) readable until the matching dropRead; false: not a slab's
 * (nothing to hold). An empty view holds nothing: at a slab's end its offset names the next slab.
 */
export function holdRead(view: Uint8Array): boolean {
  const owner = view.length ? owners.get(view.buffer) : undefined;
  owner?.hold(view);
  return owner !== undefined;
}

/** Gives back one reference to the slab under `view`: the last one frees the slab for another read. */
export function dropRead(view: Uint8Array): void {
  if (view.length) owners.get(view.buffer)?.drop(view);
}

/** Bytes of the slabs lent and not yet given back (tests). */
export function readSlabBytesInUse(): number {
  let n = 0;
  for (const p of pools.values()) n += p.inUse * p.slabBytes;
  return n;
}

/** Slabs lent and not yet given back, of every size (tests). */
export function readSlabsInUse(): number {
  let n = 0;
  for (const p of pools.values()) n += p.inUse;
  return n;
}

function letGoWhenIdle(): void {
  const now = performance.now();
  // Views still held keep an old buffer alive; no slab of it is lent again.
  for (const [bytes, pool] of pools) if (now - pool.lastTake >= IDLE_MS) pools.delete(bytes);
  if (!pools.size && idleTimer) {
    clearInterval(idleTimer);
    idleTimer = null;
  }
}
