/**
 * A file as a Blob for @huggingface/hub's commit, read lazily from disk (a 1 GiB file is never in
 * memory), that counts the bytes each reader takes: the library reports no byte progress for
 * uploads under Node (its progress hints need XMLHttpRequest), so what fetch has read from the
 * body is the progress. Our own class rather than the library's FileBlob, which it does not export
 * and which cannot count.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export type ReadListener = (start: number, streamId: number, bytes: number) => void;

let nextStreamId = 1;

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
    const fh = await fs.promises.open(this.path, 'r');
    try {
      const buf = Buffer.alloc(this.size);
      const { bytesRead } = await fh.read(buf, 0, this.size, this.start);
      if (bytesRead !== this.size) throw new Error(`${this.path} is shorter than when it was chosen`);
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

  override stream(): ReadableStream<Uint8Array> {
    const id = nextStreamId++;
    this.#bytesRead = 0;
    this.#lastActivity = Date.now();
    if (this.size === 0) return new Blob([]).stream();
    const node = fs.createReadStream(this.path, { start: this.start, end: this.end - 1, highWaterMark: 1 << 20 });
    let seen = 0;
    node.on('data', (chunk) => {
      seen += chunk.length;
      this.#bytesRead = seen;
      this.#lastActivity = Date.now();
      this.#onRead(this.start, id, seen);
    });
    // A file that shrank under us must not upload short: the Hub would refuse the size anyway.
    node.on('end', () => {
      if (seen !== this.size) node.destroy(new Error(`${this.path} changed while it was being sent`));
    });
    return Readable.toWeb(node) as unknown as WebReadableStream<Uint8Array> as unknown as ReadableStream<Uint8Array>;
  }
}
