/**
 * The fake CAS's xorb storage serves ranges of a xorb held whole as views, not copies: a copy per
 * range cost the fake ~2.5 s of CPU per 1 GiB download, on the same cores as the client measured.
 */
import { describe, expect, it } from 'vitest';
import { noiseContent, weightsContent } from './xet/fixtures';
import { readXorb, XorbStore, type Xorb } from './xet/xorbs';

/** A xorb's bytes, chunk by chunk, as each chunk reads itself. */
const chunkwise = (x: Xorb) => Buffer.concat(x.chunks.map((c) => c.read()));

describe('fake CAS xorbs', () => {
  it('holds a xorb of compressed chunks whole and serves its ranges as views of it', () => {
    const store = new XorbStore({ maxXorbBytes: 1 << 20 });
    store.add(weightsContent('xorb-views', 3 << 20));
    const xorbs = [...store.xorbs.values()];
    expect(xorbs.length).toBeGreaterThan(1);
    for (const x of xorbs) {
      expect(x.chunks.every((c) => c.scheme !== 0)).toBe(true);
      const body = x.body as Buffer;
      expect(body.length).toBe(x.size);
      expect(chunkwise(x).equals(body)).toBe(true);
      const [a, b] = [Math.floor(x.size / 3), Math.floor((2 * x.size) / 3)];
      const range = readXorb(x, a, b);
      expect(range.buffer).toBe(body.buffer);
      expect(range.equals(body.subarray(a, b))).toBe(true);
    }
  });

  it('reads a xorb with a chunk stored raw from its content, and serves the same bytes', () => {
    const store = new XorbStore({ maxXorbBytes: 1 << 20 });
    store.add(noiseContent('xorb-raw', 2 << 20));
    for (const x of store.xorbs.values()) {
      expect(x.body).toBeUndefined();
      const whole = chunkwise(x);
      expect(readXorb(x, 100, x.size - 100).equals(whole.subarray(100, x.size - 100))).toBe(true);
    }
  });
});
