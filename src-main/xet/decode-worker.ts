/**
 * The Xet decode worker (decode-pool.ts): LZ4 frames, byte regrouping and chunk hashes for batches
 * of compressed chunks, off the download's thread. Hashes are computed only where native blake3
 * loads (the wasm is slower than the decode it would ride on; the download hashes then as before).
 * A batch is read from and decoded into the pool's shared arena (sent before the first batch that
 * uses it; null when the pool lets it go), or moved over in a buffer of its own and its output
 * moved back when the arena had no room.
 */
import { parentPort } from 'node:worker_threads';
import { decodeInto, decodePacked, decodedSize, errorReply, type DecodeReply, type DecodeRequest } from './decode-batch';
import { nativeChunkHash } from './hashes';

const port = parentPort;
if (!port) throw new Error('decode-worker runs as a worker thread');
const hash = nativeChunkHash();
let arena: SharedArrayBuffer | null = null;

port.on('message', (m: DecodeRequest | { arena: SharedArrayBuffer | null }) => {
  if ('arena' in m) {
    arena = m.arena;
    return;
  }
  try {
    if ('inAt' in m) {
      if (!arena) throw new Error('a batch came for the shared arena before the arena');
      const out = Buffer.from(arena, m.outAt, decodedSize(m.headers));
      const hashes = decodeInto(Buffer.from(arena, m.inAt, m.inLen), m.headers, out, hash);
      const reply: DecodeReply = { id: m.id, out: null, hashes };
      port.postMessage(reply, hashes ? [hashes] : []);
    } else {
      const { out, hashes } = decodePacked(m, hash);
      const reply: DecodeReply = { id: m.id, out, hashes };
      port.postMessage(reply, hashes ? [out, hashes] : [out]);
    }
  } catch (error) {
    port.postMessage(errorReply(m.id, error));
  }
});
