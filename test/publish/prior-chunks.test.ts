/** The pieces of prior-chunks.ts that decide which chunk is asked about instead. */
import { createChunker, finalize, hashToHex, nextBlock } from '@huggingface/xetchunk-wasm';
import { describe, expect, it } from 'vitest';
import { dedupQueryFor, dedupQueryHash, FIRST_CHUNK_SPAN, firstChunkHash } from '../../src-main/publish/prior-chunks';
import { noiseContent } from '../fakehub/xet/fixtures';

/** Every chunk of the whole buffer, cut at once as the library cuts a file. */
function allChunks(data: Uint8Array): string[] {
  const chunker = createChunker();
  const out = nextBlock(chunker, data).map((c) => hashToHex(c.hash));
  const last = finalize(chunker);
  if (last) out.push(hashToHex(last.hash));
  return out;
}

describe('prior chunks', () => {
  it("a file's first 128 KiB give the first chunk of the whole file; a short file is one chunk", () => {
    for (const seed of ['a', 'b', 'c', 'd']) {
      const whole = Buffer.from(noiseContent(`prior-${seed}`, 3 << 20).read(0, 3 << 20));
      expect(firstChunkHash(whole.subarray(0, FIRST_CHUNK_SPAN))).toBe(allChunks(whole)[0]);
    }
    const small = Buffer.from(noiseContent('prior-small', 5000).read(0, 5000));
    expect(firstChunkHash(small)).toBe(allChunks(small)[0]);
    expect(firstChunkHash(new Uint8Array(0))).toBeNull();
  });

  it('reads and rewrites the global-dedup query, and nothing else', () => {
    const h1 = 'ab'.repeat(32);
    const h2 = 'cd'.repeat(32);
    const url = `http://cas.example:9000/v1/chunks/default/${h1}`;
    expect(dedupQueryHash(url)).toBe(h1);
    expect(dedupQueryFor(url, h2)).toBe(`http://cas.example:9000/v1/chunks/default/${h2}`);
    expect(dedupQueryHash(`http://cas.example:9000/v1/xorbs/default/${h1}`)).toBeNull();
    expect(dedupQueryHash(`http://cas.example:9000/v1/chunks/default/${h1}/x`)).toBeNull();
  });
});
