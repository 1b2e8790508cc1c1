/**
 * The inverse of xet-core's bg4_split (scheme 2 chunks): group g holds bytes g, g+4, g+8… of the
 * original. Most weights on the Hub are stored this way, so this runs over every byte of them.
 * Words at a time in JS ran at ~1.7 GB/s and were the decode worker's largest cost on 1 GiB of
 * weights (docs/performance.md); 128-bit shuffles in WebAssembly (chunk-decode.wat) run at ~15 GB/s
 * with the copies in and out. No maintained package does this (@huggingface/hub's XetBlob
 * regroups a byte at a time), and the loop is twenty lines, so it is ours. Where WebAssembly SIMD
 * is missing, or a buffer is larger than any chunk, the JS words path runs.
 */
import { chunkWasm, GROUPS_AT, REGION_BYTES, WORDS_AT, type ChunkWasm, type WasmCode } from './chunk-decode-wasm';

/** The wasm's groups and words regions each hold one chunk, of the largest (chunk-format.ts's MAX_CHUNK_BYTES: the test ties the two). */
const WASM_MAX = REGION_BYTES;

/** Whether a Uint32Array reads bytes little-endian here (it does on every platform Node ships for). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// The words path's aligned copy of the groups, and the input of chunks decoded without the wasm.
const scratch = Buffer.allocUnsafeSlow(WASM_MAX);
const plainInput = Buffer.allocUnsafeSlow(WASM_MAX);

/**
 * Where a chunk's groups (at most 128 KiB) may be decoded before `bg4Regroup`: the wasm's own
 * input when it runs, which spares copying them in. Valid until the next call; decoding is
 * synchronous.
 */
export function bg4Input(length: number): Buffer {
  if (length > WASM_MAX) throw new RangeError(`bg4Input: ${length} bytes is more than a chunk`);
  return (chunkWasm()?.groups ?? plainInput).subarray(0, length);
}

/** The groups' starts: the first `n % 4` groups hold one byte more than `n >> 2`. */
function groupStarts(n: number): { split: number; rem: number; s1: number; s2: number; s3: number } {
  const split = n >>> 2;
  const rem = n & 3;
  const s1 = split + (rem > 0 ? 1 : 0);
  const s2 = s1 + split + (rem > 1 ? 1 : 0);
  const s3 = s2 + split + (rem > 2 ? 1 : 0);
  return { split, rem, s1, s2, s3 };
}

/** Words `from`… of the output and the tail, a byte at a time. */
function regroupBytes(grouped: Uint8Array, out: Uint8Array, from: number): void {
  const { split, rem, s1, s2, s3 } = groupStarts(grouped.length);
  for (let i = from; i < split; i++) {
    out[4 * i] = grouped[i] as number;
    out[4 * i + 1] = grouped[s1 + i] as number;
    out[4 * i + 2] = grouped[s2 + i] as number;
    out[4 * i + 3] = grouped[s3 + i] as number;
  }
  // The tail: bytes 4·split… come from the groups that hold one more.
  const starts = [0, s1, s2, s3];
  for (let g = 0; g < rem; g++) out[4 * split + g] = grouped[(starts[g] as number) + split] as number;
}

/** The words path (exported for its tests): the groups' whole words copied aligned, transposed four at a time. */
export function bg4RegroupWords(grouped: Uint8Array, out: Buffer): void {
  const { split, s1, s2, s3 } = groupStarts(grouped.length);
  let done = 0; // output words written
  if (LITTLE_ENDIAN && split >= 4 && out.byteOffset % 4 === 0) {
    const q = split >>> 2; // whole 4-byte words of each group
    // Larger than any chunk (a caller's own buffer): its own copy, not a scratch kept for ever.
    const bytes = 16 * q <= scratch.length ? scratch : Buffer.allocUnsafeSlow(16 * q);
    const words = new Uint32Array(bytes.buffer, 0, 4 * q);
    bytes.set(grouped.subarray(0, 4 * q), 0);
    bytes.set(grouped.subarray(s1, s1 + 4 * q), 4 * q);
    bytes.set(grouped.subarray(s2, s2 + 4 * q), 8 * q);
    bytes.set(grouped.subarray(s3, s3 + 4 * q), 12 * q);
    const o = new Uint32Array(out.buffer, out.byteOffset, split);
    for (let j = 0; j < q; j++) {
      const a = words[j] as number;
      const b = words[q + j] as number;
      const c = words[2 * q + j] as number;
      const d = words[3 * q + j] as number;
      const k = 4 * j;
      o[k] = (a & 0xff) | ((b & 0xff) << 8) | ((c & 0xff) << 16) | (d << 24);
      o[k + 1] = ((a >>> 8) & 0xff) | (b & 0xff00) | (((c >>> 8) & 0xff) << 16) | (((d >>> 8) & 0xff) << 24);
      o[k + 2] = ((a >>> 16) & 0xff) | (((b >>> 16) & 0xff) << 8) | (c & 0xff0000) | (((d >>> 16) & 0xff) << 24);
      o[k + 3] = (a >>> 24) | (((b >>> 24) & 0xff) << 8) | (((c >>> 24) & 0xff) << 16) | (d & 0xff000000);
    }
    done = 4 * q;
  }
  regroupBytes(grouped, out, done);
}

/**
 * Regroups the `n` bytes at `src` of the wasm's memory into `dst` of it (regions that do not
 * overlap): 16-byte steps in the wasm, the last bytes here.
 */
export function regroupAt(w: WasmCode, src: number, dst: number, n: number): void {
  const { split, s1, s2, s3 } = groupStarts(n);
  const blocks = split >>> 4;
  w.regroup(src, dst, blocks, s1, s2, s3);
  regroupBytes(w.bytes.subarray(src, src + n), w.bytes.subarray(dst, dst + n), 16 * blocks);
}

/** The shuffles path: the groups copied into the wasm (unless decoded there), regrouped, the words copied out. */
function regroupWasm(w: ChunkWasm, grouped: Uint8Array, out: Buffer): void {
  const n = grouped.length;
  // A view elsewhere in the wasm memory is moved down too (set copies overlapping bytes rightly).
  if (grouped.buffer !== w.groups.buffer || grouped.byteOffset !== w.groups.byteOffset) w.groups.set(grouped);
  regroupAt(w, GROUPS_AT, WORDS_AT, n);
  out.set(w.words.subarray(0, n));
}

/** The original bytes of byte-grouped `grouped`, written into `into` (its length) when given. */
export function bg4Regroup(grouped: Uint8Array, into?: Buffer): Buffer {
  const n = grouped.length;
  if (into && into.length !== n) throw new RangeError(`bg4Regroup: ${n} bytes into ${into.length}`);
  // Its own ArrayBuffer, at offset 0, or the caller's.
  const out = into ?? Buffer.allocUnsafeSlow(n);
  const w = n <= WASM_MAX ? chunkWasm() : null;
  // The output would be overwritten by the wasm's own work (or overwrite the groups it reads).
  if (w && out.buffer === w.groups.buffer) throw new RangeError('bg4Regroup: the output cannot be in the regrouper’s own memory');
  if (w) regroupWasm(w, grouped, out);
  else bg4RegroupWords(grouped, out);
  return out;
}

/** Which path runs here (a test checks that Node takes the wasm). */
export function bg4RegroupPath(): 'wasm' | 'words' {
  return chunkWasm() ? 'wasm' : 'words';
}
