/** Positional writes of bytes held in several buffers (a decoded chunk as the socket buffers it arrived in). */
import type { FileHandle } from 'node:fs/promises';

/** Writes `length` bytes of buffers laid end to end at `position`, however few a call takes (a disk near full). */
export async function writeAll(fh: FileHandle, bufs: Buffer[], length: number, position: number): Promise<void> {
  for (let done = 0; done < length;) {
    const { bytesWritten } = await fh.writev(done ? sliceParts(bufs, done, length) : bufs, position + done);
    if (bytesWritten <= 0) throw new Error(`the disk took no bytes at ${position + done}`);
    done += bytesWritten;
  }
}

/** Bytes [from, to) of buffers laid end to end, as views. */
export function sliceParts(parts: Buffer[], from: number, to: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const p of parts) {
    const s = Math.max(from, at);
    const e = Math.min(to, at + p.length);
    if (e > s) out.push(p.subarray(s - at, e - at));
    at += p.length;
  }
  return out;
}
