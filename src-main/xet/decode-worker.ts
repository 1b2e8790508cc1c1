/**
 * The Xet decode worker (decode-pool.ts): LZ4 frames, byte regrouping and chunk hashes for batches
 * of compressed chunks, off the download's thread. Hashes are computed only where native blake3
 * loads (the wasm is slower than the decode it would ride on; the download hashes then as before).
 * A batch is read from and decoded into the pool's shared arena (sent before the first batch that
 * uses it; null when the pool lets it go), in place by the wasm whose memory the arena is, or
 * through views of it where that wasm does not run; or it is moved over in a buffer of its own and
 * its output moved back when the arena had no room.
 */
import { parentPort } from 'node:worker_threads';
import { sharedChunkWasm, type WasmCode } from './chunk-decode-wasm';
import { decodeInArena, decodeInto, decodePacked, decodedSize, errorReply, type ArenaMessage, type DecodeReply, type DecodeRequest } from './decode-batch';
import { nativeChunkHash } from './hashes';

const port = parentPort;
if (!port) throw new Error('decode-worker runs as a worker thread');
const hash = nativeChunkHash();
let arena: SharedArrayBuffer | null = null;
let code: WasmCode | null = null;

port.on('message', (m: DecodeRequest | ArenaMessage) => {
  if ('arena' in m) {
    const memory = m.arena && !(m.arena instanceof SharedArrayBuffer) ? m.arena : null;
    arena = memory ? memory.buffer : (m.arena as SharedArrayBuffer | null);
    code = memory ? sharedChunkWasm(memory) : null;
    return;
  }
  try {
    if ('inAt' in m) {
      if (!arena) throw new Error('a batch came for the shared arena before the arena');
      const hashes = code
        ? decodeInArena(code, m, hash)
        : decodeInto(Buffer.from(arena, m.inAt, m.inLen), m.headers, Buffer.from(arena, m.outAt, decodedSize(m.headers)), hash);
      const reply: DecodeReply = { id: m.id, out: null, hashes, inPlace: code !== null };
      port.postMessage(reply, hashes ? [hashes] : []);
    } else {
      const { out, hashes } = decodePacked(m, hash);
      const reply: DecodeReply = { id: m.id, out, hashes, inPlace: false };
      port.postMessage(reply, hashes ? [out, hashes] : [out]);
    }
  } catch (error) {
    port.postMessage(errorReply(m.id, error));
  }
});
