/**
 * Copies bytes between open files (or within one) in blocks, for the Xet road's chunks taken from
 * disk: another local file's (xet-local-chunks.ts) or the partial's own (xet-written-chunks.ts).
 */
import type { FileHandle } from 'node:fs/promises';

const COPY_BLOCK = 4 << 20;

/**
 * Copies `length` bytes at `fromAt` in `from` to `toAt` in `to`. A source that ends early throws
 * `shortRead(at)` (the offset it ended at); `signal` is checked before each block.
 */
export async function copyRange(
  from: FileHandle,
  fromAt: number,
  to: FileHandle,
  toAt: number,
  length: number,
  opts: { shortRead: (at: number) => Error; signal?: AbortSignal },
): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(COPY_BLOCK, length));
  for (let done = 0; done < length;) {
    opts.signal?.throwIfAborted();
    const n = Math.min(buf.length, length - done);
    const { bytesRead } = await from.read(buf, 0, n, fromAt + done);
    if (bytesRead !== n) throw opts.shortRead(fromAt + done + bytesRead);
    for (let w = 0; w < n;) w += (await to.write(buf, w, n - w, toAt + done + w)).bytesWritten;
    done += n;
  }
}
