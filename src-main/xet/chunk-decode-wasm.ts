/**
 * The WebAssembly that decodes a chunk (chunk-decode.wat): LZ4 blocks and byte regrouping, both in
 * one memory so a chunk's frame is copied in once and its bytes copied out once. lz4-napi decodes
 * only into a buffer of its own (one allocation and one more copy a block, ~1.4x slower with them
 * here) and needs the frame in one piece, where a chunk split across socket reads is in several.
 * No maintained package decodes LZ4 into memory the caller gives (@huggingface/hub vendors lz4js,
 * a byte at a time), so the block loop, forty lines, is ours; frames are read in lz4-frame.ts.
 */

/** chunk-decode.wat compiled (wabt, SIMD and bulk memory on): test/xet/chunk-decode-wasm.test.ts checks they agree. */
export const CHUNK_DECODE_WASM =
  'AGFzbQEAAAABEgJgBn9/f39/fwBgBH9/f38BfwMDAgABBQQBAQkJBx8DBm1lbW9yeQIAB3JlZ3JvdXAAAAhsejRibG9jawABCuUFAqcCAgZ7AX8gACACQQR0aiEMAkADQCAAIAxPDQEgAP0ABAAhBiAAIANq/QAEACEHIAAgBGr9AAQAIQggACAFav0ABAAhCSAGIAf9DQAQARECEgMTBBQFFQYWBxchCiAIIAn9DQAQARECEgMTBBQFFQYWBxchCyABIAogC/0NAAEQEQIDEhMEBRQVBgcWF/0LBAAgASAKIAv9DQgJGBkKCxobDA0cHQ4PHh/9CwQQIAYgB/0NCBgJGQoaCxsMHA0dDh4PHyEKIAggCf0NCBgJGQoaCxsMHA0dDh4PHyELIAEgCiAL/Q0AARARAgMSEwQFFBUGBxYX/QsEICABIAogC/0NCAkYGQoLGhsMDRwdDg8eH/0LBDAgAEEQaiEAIAFBwABqIQEMAAsLC7kDAQt/IAAhBCAAIAFqIQUgAiEGIAIgA2ohBwJAAkADQCAEIAVPDQIgBC0AACEIIARBAWohBCAIQQR2IQkgCUEPRgRAA0AgBCAFTw0EIAQtAAAhCiAEQQFqIQQgCSAKaiEJIApB/wFGDQALCyAJIAUgBGtLDQIgCSAHIAZrSw0CIAlBEE0EQCAGIAT9AAQA/QsEAAUgBiAEIAn8CgAACyAGIAlqIQYgBCAJaiEEIAQgBUYNASAFIARrQQJJDQIgBC8BACELIARBAmohBCALRQ0CIAsgBiACa0sNAiAIQQ9xIQwgDEEPRgRAA0AgBCAFTw0EIAQtAAAhCiAEQQFqIQQgDCAKaiEMIApB/wFGDQALCyAMQQRqIQwgDCAHIAZrSw0CIAtBEE8gDEEgTXEEQCAGIAYgC2v9AAQA/QsEACAGIAYgC2v9AAQQ/QsEECAGIAxqIQYMAQsgCyAMTwRAIAYgBiALayAM/AoAACAGIAxqIQYFIAshDQNAIA0gDCANIAxJGyEOIAYgBiANayAO/AoAACAGIA5qIQYgDCAOayEMIA1BAXQhDSAMDQALCwwACwsgBiACaw8LQX8L';

/** The memory's regions, as chunk-decode.wat lays them out. */
export const GROUPS_AT = 0;
export const WORDS_AT = 128 << 10;
export const FRAME_AT = 256 << 10;
/** The groups and words regions each hold the largest chunk (chunk-format.ts's MAX_CHUNK_BYTES: a test ties them). */
export const REGION_BYTES = 128 << 10;
/** The frame region holds the largest stored chunk (MAX_COMPRESSED_BYTES). */
export const FRAME_BYTES = 256 << 10;

export interface ChunkWasm {
  /** Views of the regions, over the whole of each. */
  groups: Buffer;
  words: Buffer;
  frame: Buffer;
  /** Interleaves four byte groups at src, src+s1, src+s2, src+s3 into words at dst, 16 bytes of each a step. */
  regroup(src: number, dst: number, blocks: number, s1: number, s2: number, s3: number): void;
  /** Decodes an LZ4 block at [src, src+slen) into [dst, dst+dlen): the bytes written, or -1. May write 32 bytes past dst+dlen. */
  lz4block(src: number, slen: number, dst: number, dlen: number): number;
}

/** The part of the WebAssembly global used here (Node's types declare it only under the DOM lib). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: { memory: { buffer: ArrayBuffer } } & Pick<ChunkWasm, 'regroup' | 'lz4block'> };
}

function load(): ChunkWasm | null {
  try {
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const { memory, regroup, lz4block } = new api.Instance(new api.Module(Buffer.from(CHUNK_DECODE_WASM, 'base64')), {}).exports;
    // The memory is fixed (min = max pages), so these views never detach.
    return {
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
