/**
 * Deterministic file contents for the fake Hub. Small files are plain buffers; large ones are
 * computed on the fly from a seed, so a 1 GiB LFS file costs no memory.
 */
import { createHash } from 'node:crypto';

export interface Content {
  readonly size: number;
  /** Bytes [start, end) of the file. */
  read(start: number, end: number): Buffer;
}

export function bufferContent(buf: Buffer): Content {
  return { size: buf.length, read: (s, e) => buf.subarray(s, e) };
}

const PATTERN = 1 << 20;

/**
 * Seeded pseudo-random bytes: a 1 MiB pattern from sha256 in counter mode; the first 8 bytes of
 * every MiB hold its index, so no two MiB are equal. Cheap enough to serve at disk speed.
 */
export function seededContent(seed: string, size: number): Content {
  const pattern = Buffer.alloc(PATTERN);
  for (let i = 0; i * 32 < PATTERN; i++)
    createHash('sha256')
      .update(`${seed}:${i}`)
      .digest()
      .copy(pattern, i * 32);
  return {
    size,
    read(start, end) {
      const out = Buffer.allocUnsafe(Math.max(0, end - start));
      let pos = start;
      while (pos < end) {
        const block = Math.floor(pos / PATTERN);
        const off = pos % PATTERN;
        const n = Math.min(PATTERN - off, end - pos);
        pattern.copy(out, pos - start, off, off + n);
        if (off < 8) {
          const stamp = Buffer.alloc(8);
          stamp.writeBigUInt64LE(BigInt(block));
          stamp.copy(out, pos - start, off, Math.min(8, off + n));
        }
        pos += n;
      }
      return out;
    },
  };
}

export function textContent(text: string): Content {
  return bufferContent(Buffer.from(text, 'utf8'));
}

export function sha256Of(content: Content): string {
  const h = createHash('sha256');
  const step = 8 << 20;
  for (let pos = 0; pos < content.size; pos += step) h.update(content.read(pos, Math.min(content.size, pos + step)));
  return h.digest('hex');
}

/** Git's blob id: sha1("blob <len>\0" + data). */
export function gitBlobSha1(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

export function lfsPointer(sha256: string, size: number): Buffer {
  return Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`);
}
