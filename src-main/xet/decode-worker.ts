/**
 * The Xet decode worker (decode-pool.ts): LZ4 frames, byte regrouping and chunk hashes for batches
 * of compressed chunks, off the download's thread. Hashes are computed only where native blake3
 * loads (the wasm is slower than the decode it would ride on; the download hashes then as before).
 */
import { parentPort } from 'node:worker_threads';
import { decodePacked, errorReply, type DecodeReply, type DecodeRequest } from './decode-batch';
import { nativeChunkHash } from './hashes';

const port = parentPort;
if (!port) throw new Error('decode-worker runs as a worker thread');
const hash = nativeChunkHash();

port.on('message', (m: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    const { out, hashes } = decodePacked(m, hash);
    reply = { id: m.id, out, hashes };
    port.postMessage(reply, hashes ? [out, hashes] : [out]);
  } catch (error) {
    reply = errorReply(m.id, error);
    port.postMessage(reply);
  }
});
