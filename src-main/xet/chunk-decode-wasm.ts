/**
 * The WebAssembly that decodes a chunk (chunk-decode.wat): LZ4 blocks and byte regrouping, both in
 * one memory so a chunk's frame is copied in once and its bytes copied out once. lz4-napi decodes
 * only into a buffer of its own (one allocation and one more copy a block, ~1.4x slower with them
 * here) and needs the frame in one piece, where a chunk split across socket reads is in several.
 * No maintained package decodes LZ4 into memory the caller gives (@huggingface/hub vendors lz4js,
 * a byte at a time), so the block loop, forty lines, is ours; frames are read in lz4-frame.ts.
 *
 * Two builds of the one source: this thread's, with a memory of its own laid out in regions, and
 * the decode workers', whose memory is the pool's shared arena (decode-arena.ts). A worker decodes
 * a batch where the arena holds it, so nothing is copied into or out of the wasm there: two copies
 * of every byte of a download fewer, and V8 copies to and from shared memory with relaxed atomics,
 * a byte at a time unless source and target agree mod 8.
 */

/** The memory declaration of chunk-decode.wat, and what the workers' build has in its place. */
export const OWN_MEMORY = '(memory (export "memory") 9 9)';
export const SHARED_MEMORY = '(import "env" "memory" (memory 1 65536 shared))';

/** How far past an output the 128-bit copies may write (chunk-decode.wat). */
export const WRITE_SLACK = 32;
/** How far past a block its 128-bit loads may read (up to 15 bytes; the bytes are not used). */
export const READ_SLACK = 16;

/** chunk-decode.wat compiled (wabt, SIMD and bulk memory on): test/xet/chunk-decode-wasm.test.ts checks they agree. */
export const CHUNK_DECODE_WASM =
  'AGFzbQEAAAABEgJgBn9/f39/fwBgBH9/f38BfwMDAgABBQQBAQkJBx8DBm1lbW9yeQIAB3JlZ3JvdXAAAAhsejRibG9jawABCuUFAqcCAgZ7AX8gACACQQR0aiEMAkADQCAAIAxPDQEgAP0ABAAhBiAAIANq/QAEACEHIAAgBGr9AAQAIQggACAFav0ABAAhCSAGIAf9DQAQARECEgMTBBQFFQYWBxchCiAIIAn9DQAQARECEgMTBBQFFQYWBxchCyABIAogC/0NAAEQEQIDEhMEBRQVBgcWF/0LBAAgASAKIAv9DQgJGBkKCxobDA0cHQ4PHh/9CwQQIAYgB/0NCBgJGQoaCxsMHA0dDh4PHyEKIAggCf0NCBgJGQoaCxsMHA0dDh4PHyELIAEgCiAL/Q0AARARAgMSEwQFFBUGBxYX/QsEICABIAogC/0NCAkYGQoLGhsMDRwdDg8eH/0LBDAgAEEQaiEAIAFBwABqIQEMAAsLC7kDAQt/IAAhBCAAIAFqIQUgAiEGIAIgA2ohBwJAAkADQCAEIAVPDQIgBC0AACEIIARBAWohBCAIQQR2IQkgCUEPRgRAA0AgBCAFTw0EIAQtAAAhCiAEQQFqIQQgCSAKaiEJIApB/wFGDQALCyAJIAUgBGtLDQIgCSAHIAZrSw0CIAlBEE0EQCAGIAT9AAQA/QsEAAUgBiAEIAn8CgAACyAGIAlqIQYgBCAJaiEEIAQgBUYNASAFIARrQQJJDQIgBC8BACELIARBAmohBCALRQ0CIAsgBiACa0sNAiAIQQ9xIQwgDEEPRgRAA0AgBCAFTw0EIAQtAAAhCiAEQQFqIQQgDCAKaiEMIApB/wFGDQALCyAMQQRqIQwgDCAHIAZrSw0CIAtBEE8gDEEgTXEEQCAGIAYgC2v9AAQA/QsEACAGIAYgC2v9AAQQ/QsEECAGIAxqIQYMAQsgCyAMTwRAIAYgBiALayAM/AoAACAGIAxqIQYFIAshDQNAIA0gDCANIAxJGyEOIAYgBiANayAO/AoAACAGIA5qIQYgDCAOayEMIA1BAXQhDSAMDQALCwwACwsgBiACaw8LQX8L';

/** The workers' build: the same with SHARED_MEMORY in place of OWN_MEMORY (threads on too). */
export const CHUNK_DECODE_SHARED_WASM =
  'AGFzbQEAAAABEgJgBn9/f39/fwBgBH9/f38BfwISAQNlbnYGbWVtb3J5AgMBgIAEAwMCAAEHFgIHcmVncm91cAAACGx6NGJsb2NrAAEK5QUCpwICBnsBfyAAIAJBBHRqIQwCQANAIAAgDE8NASAA/QAEACEGIAAgA2r9AAQAIQcgACAEav0ABAAhCCAAIAVq/QAEACEJIAYgB/0NABABEQISAxMEFAUVBhYHFyEKIAggCf0NABABEQISAxMEFAUVBhYHFyELIAEgCiAL/Q0AARARAgMSEwQFFBUGBxYX/QsEACABIAogC/0NCAkYGQoLGhsMDRwdDg8eH/0LBBAgBiAH/Q0IGAkZChoLGwwcDR0OHg8fIQogCCAJ/Q0IGAkZChoLGwwcDR0OHg8fIQsgASAKIAv9DQABEBECAxITBAUUFQYHFhf9CwQgIAEgCiAL/Q0ICRgZCgsaGwwNHB0ODx4f/QsEMCAAQRBqIQAgAUHAAGohAQwACwsLuQMBC38gACEEIAAgAWohBSACIQYgAiADaiEHAkACQANAIAQgBU8NAiAELQAAIQggBEEBaiEEIAhBBHYhCSAJQQ9GBEADQCAEIAVPDQQgBC0AACEKIARBAWohBCAJIApqIQkgCkH/AUYNAAsLIAkgBSAEa0sNAiAJIAcgBmtLDQIgCUEQTQRAIAYgBP0ABAD9CwQABSAGIAQgCfwKAAALIAYgCWohBiAEIAlqIQQgBCAFRg0BIAUgBGtBAkkNAiAELwEAIQsgBEECaiEEIAtFDQIgCyAGIAJrSw0CIAhBD3EhDCAMQQ9GBEADQCAEIAVPDQQgBC0AACEKIARBAWohBCAMIApqIQwgCkH/AUYNAAsLIAxBBGohDCAMIAcgBmtLDQIgC0EQTyAMQSBNcQRAIAYgBiALa/0ABAD9CwQAIAYgBiALa/0ABBD9CwQQIAYgDGohBgwBCyALIAxPBEAgBiAGIAtrIAz8CgAAIAYgDGohBgUgCyENA0AgDSAMIA0gDEkbIQ4gBiAGIA1rIA78CgAAIAYgDmohBiAMIA5rIQwgDUEBdCENIAwNAAsLDAALCyAGIAJrDwtBfws=';

/** The memory's regions, as chunk-decode.wat lays them out (this thread's build). */
export const GROUPS_AT = 0;
export const WORDS_AT = 128 << 10;
export const FRAME_AT = 256 << 10;
/** The groups and words regions each hold the largest chunk (chunk-format.ts's MAX_CHUNK_BYTES: a test ties them). */
export const REGION_BYTES = 128 << 10;
/** The frame region holds the largest stored chunk (MAX_COMPRESSED_BYTES). */
export const FRAME_BYTES = 256 << 10;

/** The two loops over a memory; every address is an offset into `bytes`. */
export interface WasmCode {
  /** A view of the whole memory. */
  bytes: Buffer;
  /** Interleaves four byte groups at src, src+s1, src+s2, src+s3 into words at dst, 16 bytes of each a step. */
  regroup(src: number, dst: number, blocks: number, s1: number, s2: number, s3: number): void;
  /** Decodes an LZ4 block at [src, src+slen) into [dst, dst+dlen): the bytes written, or -1. May write WRITE_SLACK bytes past dst+dlen. */
  lz4block(src: number, slen: number, dst: number, dlen: number): number;
}

/** This thread's build, with views of its regions, over the whole of each. */
export interface ChunkWasm extends WasmCode {
  groups: Buffer;
  words: Buffer;
  frame: Buffer;
}

/** A shared WebAssembly memory: it can be posted to a worker, and its buffer is a SharedArrayBuffer. */
export interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
}

/** The part of the WebAssembly global used here (Node's types declare it only under the DOM lib). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: { memory?: { buffer: ArrayBuffer } } & Pick<WasmCode, 'regroup' | 'lz4block'> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => SharedMemory;
}

const api = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** WebAssembly pages are 64 KiB. */
const WASM_PAGE = 64 << 10;

function load(): ChunkWasm | null {
  try {
    const { memory, regroup, lz4block } = new (api().Instance)(new (api().Module)(Buffer.from(CHUNK_DECODE_WASM, 'base64')), {}).exports;
    if (!memory) return null;
    // The memory is fixed (min = max pages), so these views never detach.
    return {
      bytes: Buffer.from(memory.buffer),
      groups: Buffer.from(memory.buffer, GROUPS_AT, REGION_BYTES),
      words: Buffer.from(memory.buffer, WORDS_AT, REGION_BYTES),
      frame: Buffer.from(memory.buffer, FRAME_AT, FRAME_BYTES),
      regroup,
      lz4block,
    };
  } catch {
    return null; // no WebAssembly SIMD here
  }
}

let wasm: ChunkWasm | null | undefined;

/** This thread's instance, made at first use; null where WebAssembly SIMD is missing (the JS paths run). */
export function chunkWasm(): ChunkWasm | null {
  if (wasm === undefined) wasm = load();
  return wasm;
}

/**
 * A fixed shared memory of at least `bytes`, and one page more: the block loop's 128-bit loads may
 * read READ_SLACK bytes past the last span. Null where shared WebAssembly memory is missing.
 */
export function newSharedMemory(bytes: number): SharedMemory | null {
  const pages = Math.ceil(bytes / WASM_PAGE) + 1;
  try {
    return new (api().Memory)({ initial: pages, maximum: pages, shared: true });
  } catch {
    return null;
  }
}

let sharedModule: object | undefined;

/** The workers' build over `memory`; null where it does not run here (the worker then copies as before). */
export function sharedChunkWasm(memory: SharedMemory): WasmCode | null {
  try {
    // Compiled once a thread: a worker instantiates it again for each arena it is sent.
    sharedModule ??= new (api().Module)(Buffer.from(CHUNK_DECODE_SHARED_WASM, 'base64'));
    const { regroup, lz4block } = new (api().Instance)(sharedModule, { env: { memory } }).exports;
    return { bytes: Buffer.from(memory.buffer), regroup, lz4block };
  } catch {
    return null;
  }
}
