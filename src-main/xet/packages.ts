/**
 * The Xet primitives' packages, loaded on first use rather than at start: xetchunk-wasm (with its
 * blake3 and gearhash wasm) and lz4-napi are ~18 module files, ~50 ms of every `hubcap` command's
 * start on this project's machines, and most commands (every classic download) never need them.
 * Both ship CommonJS builds, so the first call loads them synchronously.
 */
import { createRequire } from 'node:module';
import type * as XetChunk from '@huggingface/xetchunk-wasm';
import type * as Lz4 from 'lz4-napi';

const load = createRequire(import.meta.url);
let xetchunkModule: typeof XetChunk | undefined;
let lz4Module: typeof Lz4 | undefined;

/** @huggingface/xetchunk-wasm: the chunker and the Xet hashes, as @huggingface/hub uses them. */
export function xetchunk(): typeof XetChunk {
  return (xetchunkModule ??= load('@huggingface/xetchunk-wasm') as typeof XetChunk);
}

/** lz4-napi: LZ4 frames (lz4_flex, the crate xet-core uses). */
export function lz4(): typeof Lz4 {
  return (lz4Module ??= load('lz4-napi') as typeof Lz4);
}
