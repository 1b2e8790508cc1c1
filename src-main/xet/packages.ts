/**
 * The Xet primitives' packages, loaded on first use rather than at start: xetchunk-wasm (with its
 * blake3 and gearhash wasm) and lz4-napi are ~18 module files, ~50 ms of every `hubcap` command's
 * start on this project's machines, and most commands (every classic download) never need them.
 * Both ship CommonJS builds, so the first call loads them synchronously.
 */
import type * as XetChunk from '@huggingface/xetchunk-wasm';
import type * as Lz4 from 'lz4-napi';
import { lazyPackage } from '../base/lazy-package';

/** @huggingface/xetchunk-wasm: the chunker and the Xet hashes, as @huggingface/hub uses them. */
export const xetchunk = lazyPackage<typeof XetChunk>('@huggingface/xetchunk-wasm');

/** lz4-napi: LZ4 frames (lz4_flex, the crate xet-core uses). */
export const lz4 = lazyPackage<typeof Lz4>('lz4-napi');
