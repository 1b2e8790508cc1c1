/** "Download it back and verify": each published file fetched at the new commit, hashed as it streams, compared with the file here. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyPublished } from '../../src-main/publish/verify';
import { hubAnswering } from '../helpers/fakes';

const REPO = { type: 'model' as const, id: 'org/m' };
const COMMIT = 'c'.repeat(40);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('verifyPublished', () => {
  it('names every file whose bytes the Hub serves differently: other bytes or fewer', async () => {
    const good = Buffer.alloc(200_000, 7);
    const served: Record<string, Buffer> = {
      'good.bin': good,
      'swapped.bin': Buffer.alloc(10, 2),
      'short.bin': good.subarray(0, 100),
      'long.bin': Buffer.concat([Buffer.from('x'), Buffer.from('y')]),
    };
    const { http, asked } = hubAnswering(
      (url) => new Response(new Uint8Array(served[decodeURIComponent(url.pathname.split('/').pop() ?? '')] ?? Buffer.alloc(0))),
    );
    const progress: [number, string | null][] = [];
    const mismatches = await verifyPublished(
      http,
      REPO,
      COMMIT,
      [
        { path: 'good.bin', size: good.length, sha256: sha256(good) },
        { path: 'swapped.bin', size: 10, sha256: sha256(Buffer.alloc(10, 1)) },
        { path: 'short.bin', size: good.length, sha256: sha256(good) },
      ],
      (checked, mismatch) => progress.push([checked, mismatch]),
    );
    expect(mismatches).toEqual(['swapped.bin', 'short.bin']);
    expect(progress).toEqual([
      [1, null],
      [2, 'swapped.bin'],
      [3, 'short.bin'],
    ]);
    // At the new commit, not at a branch that may have moved since.
    expect(asked.map((u) => u.pathname)).toEqual(['good.bin', 'swapped.bin', 'short.bin'].map((p) => `/org/m/resolve/${COMMIT}/${p}`));
  });

  it('a longer answer is a mismatch named like any other, read no further, and the files after it are still checked', async () => {
    const good = Buffer.from('ok');
    let served = 0;
    const { http } = hubAnswering((url) => {
      if (url.pathname.endsWith('long.bin')) {
        // An endless body: the check must stop reading it.
        const stream = new ReadableStream<Uint8Array>({
          pull(c) {
            served += 65536;
            c.enqueue(new Uint8Array(65536));
          },
        });
        return new Response(stream);
      }
      return new Response(new Uint8Array(good));
    });
    const mismatches = await verifyPublished(
      http,
      REPO,
      COMMIT,
      [
        { path: 'long.bin', size: 1, sha256: sha256(Buffer.from('x')) },
        { path: 'after.bin', size: good.length, sha256: sha256(good) },
      ],
      () => {},
    );
    expect(mismatches).toEqual(['long.bin']);
    expect(served).toBeLessThanOrEqual(4 * 65536);
  });

  it('an empty file checks as the empty hash', async () => {
    const { http } = hubAnswering(() => new Response(null));
    expect(await verifyPublished(http, REPO, COMMIT, [{ path: 'e', size: 0, sha256: sha256(Buffer.alloc(0)) }], () => {})).toEqual([]);
  });
});
