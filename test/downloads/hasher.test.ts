import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createStreamHasher, MAX_BACKLOG } from '../../src-main/downloads/hasher';

const data = Buffer.alloc(40 << 20);
for (let i = 0; i < data.length; i += 4096) data[i] = i & 0xff;

describe('stream hashers', () => {
  it('hash the same off the main thread as on it (sha256 and git blob sha1)', async () => {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const gitSha1 = createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
    for (const offThread of [false, true]) {
      const a = createStreamHasher('f'.repeat(64), data.length, offThread);
      const b = createStreamHasher('f'.repeat(40), data.length, offThread);
      for (let i = 0; i < data.length; i += 65_536) {
        a.update(data.subarray(i, i + 65_536));
        b.update(data.subarray(i, i + 65_536));
        if (a.backlog >= MAX_BACKLOG) await a.drained();
        if (b.backlog >= MAX_BACKLOG) await b.drained();
      }
      expect(await a.digest()).toBe(sha256);
      expect(await b.digest()).toBe(gitSha1);
    }
  });

  it('bounds the bytes waiting for the worker', async () => {
    const h = createStreamHasher('f'.repeat(64), data.length, true);
    let peak = 0;
    for (let i = 0; i < data.length; i += 1 << 20) {
      h.update(data.subarray(i, i + (1 << 20)));
      peak = Math.max(peak, h.backlog);
      if (h.backlog >= MAX_BACKLOG) await h.drained();
    }
    expect(peak).toBeLessThanOrEqual(MAX_BACKLOG + (1 << 20));
    await h.digest();
  });
});
