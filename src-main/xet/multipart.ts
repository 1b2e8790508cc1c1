/**
 * multipart/byteranges (RFC 9110 §14.6), parsed as it streams: each part's body goes out in
 * pieces tagged with the byte range its Content-Range names, so nothing larger than one network
 * read is held. What lies between parts (boundary lines, part headers) is bounded to 8 KiB.
 */
import { XetDataError } from './errors';

export interface PartPiece {
  /** The part's range (end inclusive) and where this piece starts within the xorb. */
  range: { start: number; end: number };
  at: number;
  data: Buffer;
}

const MAX_BETWEEN = 8 << 10;

export function boundaryOf(contentType: string): string {
  const m = /^\s*multipart\/byteranges\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b) throw new XetDataError('multipart', `a multi-range answer has no usable boundary (${contentType.slice(0, 100)})`);
  return b;
}

export class MultipartByteranges {
  readonly #delimiter: Buffer;
  #state: 'between' | 'headers' | 'body' | 'done' = 'between';
  #held = Buffer.alloc(0);
  #range = { start: 0, end: -1 };
  #pos = 0;
  parts = 0;

  constructor(contentType: string) {
    this.#delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  }

  push(buf: Buffer): PartPiece[] {
    const out: PartPiece[] = [];
    let data = this.#held.length ? Buffer.concat([this.#held, buf]) : buf;
    this.#held = Buffer.alloc(0);
    while (data.length > 0 && this.#state !== 'done') {
      if (this.#state === 'body') {
        const n = Math.min(data.length, this.#range.end + 1 - this.#pos);
        out.push({ range: { ...this.#range }, at: this.#pos, data: data.subarray(0, n) });
        this.#pos += n;
        data = data.subarray(n);
        if (this.#pos > this.#range.end) this.#state = 'between';
        continue;
      }
      if (this.#state === 'between') {
        const i = data.indexOf(this.#delimiter);
        if (i < 0 || data.length < i + this.#delimiter.length + 2) {
          this.#hold(data);
          break;
        }
        const after = data.subarray(i + this.#delimiter.length, i + this.#delimiter.length + 2).toString('latin1');
        data = data.subarray(i + this.#delimiter.length + 2);
        this.#state = after === '--' ? 'done' : 'headers';
        continue;
      }
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) {
        this.#hold(data);
        break;
      }
      const m = /content-range:\s*bytes\s+(\d{1,15})-(\d{1,15})\/(?:\d{1,15}|\*)/i.exec(data.subarray(0, end).toString('latin1'));
      if (!m || Number(m[1]) > Number(m[2])) throw new XetDataError('multipart', 'a part of a multi-range answer has no valid Content-Range');
      this.#range = { start: Number(m[1]), end: Number(m[2]) };
      this.#pos = this.#range.start;
      this.parts += 1;
      this.#state = 'body';
      data = data.subarray(end + 4);
    }
    return out;
  }

  end(): void {
    if (this.#state !== 'done') throw new XetDataError('multipart', 'a multi-range answer ended before its closing boundary');
  }

  #hold(data: Buffer): void {
    if (data.length > MAX_BETWEEN) throw new XetDataError('multipart', 'a multi-range answer has more than 8 KiB between its parts');
    this.#held = Buffer.from(data);
  }
}

/**
 * The parser for a multi-range answer. An answer that is not one (no boundary) is destroyed before
 * the error, so its connection and the request slot it holds are given back at once.
 */
export function multipartBody(body: { contentType: string; res: { destroy(error?: Error): void } }): MultipartByteranges {
  try {
    return new MultipartByteranges(body.contentType);
  } catch (error) {
    body.res.destroy();
    throw error;
  }
}
