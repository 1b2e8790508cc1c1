/**
 * Memory the download's thread shares with the decode workers (decode-pool.ts): a batch's stored
 * bytes are copied in, a worker decodes them into another span of it, and the chunks are written to
 * disk from there. Where it can, the arena is a shared WebAssembly memory, the very memory of the
 * workers' wasm (chunk-decode-wasm.ts), which then decodes in place. Before it, each batch made two
 * fresh buffers on the download's thread (its copy to move to a worker, and the decoded bytes moved
 * back), 2 GiB of new ArrayBuffers a GiB. V8 counts those against the old generation's limit; a
 * 1 GiB loopback download ran 60–90 mark-compacts against 14 on the classic road, and the collector's
 * threads took 1.6 s of CPU (docs/performance.md, "Decoding in shared memory"). Spans come from the
 * lowest free pages, so few pages are ever touched (and resident); when none fit, the caller moves
 * buffers as before. A download that decodes on its own thread (no workers running, or one core)
 * uses one too, for the same reason, in memory of its own. An arena nothing has used for a few
 * seconds is let go (LazyArena), so that the collectors of this thread and the workers can free its
 * pages; until they do, the next burst of batches takes the same arena back rather than touching a
 * new one.
 */
import { newSharedMemory, type SharedMemory } from './chunk-decode-wasm';
import { decodeChunkData, decodeFramed, releaseFramed, type DecodedChunk, type FramedChunk } from './chunk-format';

export type ArenaMemory = 'shared' | 'private';

/** Pages of 16 KiB: a batch (~256 KiB stored, ≤ 640 KiB decoded) takes a few dozen. */
const PAGE = 16 << 10;

export class DecodeArena {
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  /** A shared arena is a WebAssembly memory where it can be, so the workers' wasm decodes in it. */
  readonly wasmMemory: SharedMemory | null;
  readonly #used: Uint8Array;
  readonly #onEmpty: () => void;
  #inUse = 0;

  /**
   * `onEmpty`: called whenever a free leaves nothing handed out. `memory`: shared with workers, or
   * this thread's own, for a thread that decodes alone: V8 copies to and from shared memory with
   * relaxed atomics, a byte at a time (~3.5x slower than memcpy here) unless source and target
   * agree mod 8 (docs/performance.md).
   */
  constructor(bytes: number, onEmpty: () => void = () => {}, memory: ArenaMemory = 'shared') {
    const pages = Math.max(1, Math.floor(bytes / PAGE));
    this.wasmMemory = memory === 'shared' ? newSharedMemory(pages * PAGE) : null;
    this.buffer = this.wasmMemory?.buffer ?? (memory === 'shared' ? new SharedArrayBuffer(pages * PAGE) : new ArrayBuffer(pages * PAGE));
    this.#used = new Uint8Array(pages);
    this.#onEmpty = onEmpty;
  }

  /** What to hand to workers (its WebAssembly memory, else its buffer): only a shared arena has one. */
  get shared(): SharedMemory | SharedArrayBuffer {
    if (!(this.buffer instanceof SharedArrayBuffer)) throw new Error('this decode arena is not shared');
    return this.wasmMemory ?? this.buffer;
  }

  /** Bytes handed out and not yet given back. */
  get inUse(): number {
    return this.#inUse;
  }

  /** The offset of `bytes` free bytes (the lowest that fit), or null when no run of pages is free. */
  alloc(bytes: number): number | null {
    const need = Math.max(1, Math.ceil(bytes / PAGE));
    const used = this.#used;
    for (let start = 0, run = 0, i = 0; i < used.length; i++) {
      if (used[i]) {
        run = 0;
        start = i + 1;
        continue;
      }
      if (++run === need) {
        used.fill(1, start, start + need);
        this.#inUse += need * PAGE;
        return start * PAGE;
      }
    }
    return null;
  }

  /** Gives back a span from alloc (its offset and the size asked). */
  free(at: number, bytes: number): void {
    const first = at / PAGE;
    const need = Math.max(1, Math.ceil(bytes / PAGE));
    if (!Number.isInteger(first) || first + need > this.#used.length || this.#used.subarray(first, first + need).includes(0))
      throw new Error(`freeing ${bytes} bytes at ${at}, which the decode arena did not hand out`);
    this.#used.fill(0, first, first + need);
    this.#inUse -= need * PAGE;
    if (this.#inUse === 0) this.#onEmpty();
  }

  /** A view of a span. */
  view(at: number, bytes: number): Buffer {
    return Buffer.from(this.buffer, at, bytes);
  }
}

/**
 * An arena made on first use and let go once nothing was taken from it for `idleMs` and nothing
 * is handed out (`onDrop` then tells whoever else holds its buffer). Touched pages of a
 * SharedArrayBuffer stay resident while it lives, which is until every thread that saw it has
 * collected its views: one let go but not yet collected is taken back, so bursts of downloads a
 * few seconds apart never hold several arenas at once.
 */
export class LazyArena {
  readonly #bytes: number;
  readonly #idleMs: number;
  readonly #onDrop: () => void;
  readonly #memory: ArenaMemory;
  #arena: DecodeArena | null = null;
  #letGo: WeakRef<DecodeArena> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #takenAt = 0;

  constructor(bytes: number, idleMs: number, onDrop: () => void = () => {}, memory: ArenaMemory = 'shared') {
    this.#bytes = bytes;
    this.#idleMs = idleMs;
    this.#onDrop = onDrop;
    this.#memory = memory;
  }

  /** The arena: the one held, else the one let go if it is still alive, else a new one. */
  take(): DecodeArena {
    this.#takenAt = performance.now();
    if (!this.#arena) {
      this.#arena = this.#letGo?.deref() ?? new DecodeArena(this.#bytes, () => this.#arm(this.#idleMs), this.#memory);
      this.#letGo = null;
    }
    // Also armed here: an arena taken and never allocated from is let go too.
    this.#arm(this.#idleMs);
    return this.#arena;
  }

  /** Bytes handed out by the current arena. */
  get inUse(): number {
    return this.#arena?.inUse ?? 0;
  }

  /** Whether an arena is held now. */
  get held(): boolean {
    return this.#arena !== null;
  }

  #arm(ms: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#arena || this.#arena.inUse > 0) return;
      const left = this.#takenAt + this.#idleMs - performance.now();
      if (left > 0) return this.#arm(left);
      this.#letGo = new WeakRef(this.#arena);
      this.#arena = null;
      this.#onDrop();
    }, ms);
    this.#timer.unref();
  }
}

/**
 * A framed chunk decoded on this thread into an arena (a stored one is its views, as decodeFramed
 * gives, and takes none): `release` gives the span back once the chunk is written or dropped. With
 * no room, decodeFramed.
 */
export function decodeFramedIn(arenas: { take(): DecodeArena }, f: FramedChunk): DecodedChunk {
  const { header, stored, bytes } = f;
  const length = header.uncompressedLength;
  if (header.scheme === 0) return decodeFramed(f);
  const arena = arenas.take();
  const outAt = arena.alloc(length);
  if (outAt === null) return decodeFramed(f);
  const into = arena.view(outAt, length);
  try {
    decodeChunkData(header, stored, into);
  } catch (error) {
    arena.free(outAt, length);
    throw error;
  } finally {
    releaseFramed(f);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    arena.free(outAt, length);
  };
  return { parts: [into], length, bytes, release };
}
