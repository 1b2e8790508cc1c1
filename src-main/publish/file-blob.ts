/**
 * A file as a Blob for @huggingface/hub's commit, read lazily from disk (a 1 GiB file is never in
 * memory), that counts the bytes each reader takes: the library reports no byte progress for
 * uploads under Node (its progress hints need XMLHttpRequest), so what fetch has read from the
 * body is the progress. Our own class rather than the library's FileBlob, which it does not export
 * and which cannot count.
 */
import type fs from 'node:fs';
import { ApiError } from '../contract/errors';
import { openUntrusted } from '../base/untrusted-file';

export type ReadListener = (start: number, streamId: number, bytes: number) => void;

let nextStreamId = 1;
/** Bytes per read from disk. */
const PIECE = 1 << 20;

export class CountingFileBlob extends Blob {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly #onRead: ReadListener;
  #lastActivity = Date.now();
  #bytesRead = 0;

  constructor(file: string, start: number, end: number, onRead: ReadListener) {
    super([]);
    this.path = file;
    this.start = start;
    this.end = end;
    this.#onRead = onRead;
    // Blob's size is its own accessor over its (empty) parts; fetch reads it for Content-Length.
    Object.defineProperty(this, 'size', { value: end - start });
  }

  override slice(start = 0, end = this.size): CountingFileBlob {
    if (start < 0 || end < 0) throw new TypeError('negative slice bounds are not supported');
    return new CountingFileBlob(this.path, this.start + start, Math.min(this.start + end, this.end), this.#onRead);
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const { fh } = await openUntrusted(this.path);
    try {
      const buf = Buffer.alloc(this.size);
      const { bytesRead } = await fh.read(buf, 0, this.size, this.start);
      if (bytesRead !== this.size) throw new ApiError('INVALID_PATH', `${this.path} is shorter than when it was chosen: publish again once it is final.`);
      return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    } finally {
      await fh.close();
    }
  }

  override async text(): Promise<string> {
    return Buffer.from(await this.arrayBuffer()).toString('utf8');
  }

  /** Milliseconds since the current reader last took bytes, while it has not taken all of them. */
  stalledFor(): number {
    return this.#bytesRead >= this.size ? 0 : Date.now() - this.#lastActivity;
  }

  /** A new reader of this blob (a hash, a PUT, a retried PUT): its bytes are counted from 0. */
  beginRead(): (bytes: number) => void {
    const id = nextStreamId++;
    this.#bytesRead = 0;
    this.#lastActivity = Date.now();
    return (bytes) => {
      this.#bytesRead = bytes;
      this.#lastActivity = Date.now();
      this.#onRead(this.start, id, bytes);
    };
  }

  /**
   * Pulled, not pushed: the next piece is read from disk only when the reader asks, so at most
   * two pieces are in memory (Readable.toWeb would read ahead of a slow reader).
   */
  override stream(): ReadableStream<Uint8Array> {
    const report = this.beginRead();
    const { path: file, start, end } = this;
    let fh: fs.promises.FileHandle | null = null;
    let pos = start;
    const close = async () => {
      const h = fh;
      fh = null;
      await h?.close();
    };
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            fh ??= (await openUntrusted(file)).fh;
            if (pos >= end) {
              await close();
              controller.close();
              return;
            }
            const buf = Buffer.allocUnsafe(Math.min(PIECE, end - pos));
            const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
            // A file that shrank under us must not upload short: the Hub would refuse the size anyway.
            if (bytesRead === 0) throw new ApiError('INVALID_PATH', `${file} changed while it was being read: publish again once it is final.`);
            pos += bytesRead;
            report(pos - start);
            controller.enqueue(new Uint8Array(buf.buffer, buf.byteOffset, bytesRead));
          } catch (error) {
            await close().catch(() => undefined);
            controller.error(error);
          }
        },
        cancel: () => close(),
      },
      { highWaterMark: 1 },
    );
  }
}
