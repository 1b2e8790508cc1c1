/**
 * SequentialWriter (partial-file.ts): chunks from a socket are gathered into few writes (each write
 * costs the event loop ~0.1 ms of its own), every byte lands at its place, and a lone small chunk
 * still lands without a flush (what a crash loses stays small on a slow connection).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SequentialWriter } from '../../src-main/downloads/partial-file';
import { recordSaveEvery } from '../../src-main/downloads/http-spread';
import { tmpDir } from '../helpers/tmp';

/** A file in memory behind FileHandle's two write calls, counting them: each completes at once, so nothing gathers chunks but the writer. */
function memoryHandle(size: number): { fh: fs.promises.FileHandle; bytes: Buffer; writes: () => number } {
  const bytes = Buffer.alloc(size);
  let writes = 0;
  const fh = {
    writev: async (buffers: Buffer[], position: number) => {
      writes++;
      const all = Buffer.concat(buffers);
      all.copy(bytes, position);
      return { bytesWritten: all.length, buffers };
    },
    write: async (buffer: Buffer, offset: number, length: number, position: number) => {
      writes++;
      buffer.copy(bytes, position, offset, offset + length);
      return { bytesWritten: length, buffer };
    },
  } as unknown as fs.promises.FileHandle;
  return { fh, bytes, writes: () => writes };
}

describe('SequentialWriter', () => {
  it('gathers a socket’s small chunks into few writes, every byte at its offset', async () => {
    const data = crypto.randomBytes(4 << 20);
    const start = 1000;
    const { fh, bytes, writes } = memoryHandle(start + data.length);
    let flushedTo = 0;
    const writer = new SequentialWriter(fh, start, (end) => (flushedTo = end));
    // 16 KiB at a time, one per turn of the event loop, as a socket hands them over.
    for (let off = 0; off < data.length; off += 16 << 10) {
      if (!writer.push(data.subarray(off, off + (16 << 10)))) await writer.drained();
      await new Promise((r) => setImmediate(r));
    }
    await writer.flush();
    expect(flushedTo).toBe(start + data.length);
    expect(bytes.subarray(start).equals(data)).toBe(true);
    // 256 chunks: a write each before; now one per 256 KiB gathered (16), a few more if the machine stalls.
    expect(writes()).toBeLessThanOrEqual(32);
  });

  it('writes a lone small chunk soon without being flushed', async () => {
    const file = path.join(tmpDir(), 'part');
    const fh = await fs.promises.open(file, 'w+');
    const landed = new Promise<number>((resolve) => {
      const writer = new SequentialWriter(fh, 0, resolve);
      writer.push(Buffer.from('a few bytes from a slow connection'));
    });
    expect(await landed).toBe(34);
    await fh.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('a few bytes from a slow connection');
  });
});

describe('recordSaveEvery', () => {
  it('saves a large file’s record every 0.25 % at most (a resume refetches under 1 %), a middle-sized one’s once per MiB', () => {
    for (const size of [128 << 20, 2 ** 30, 40 * 2 ** 30]) expect(recordSaveEvery(size)).toBeLessThanOrEqual(size / 400 + 1);
    for (const size of [12 << 20, 32 << 20]) expect(recordSaveEvery(size)).toBe(1 << 20);
  });
});
