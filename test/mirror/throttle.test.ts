/**
 * The per-client rate limit (#28.4): one bucket per address, shared by its connections, one
 * second of burst; unlimited when off.
 */
import { describe, expect, it } from 'vitest';
import { ClientBuckets } from '../../src-main/mirror/throttle';
import { fakeHub } from '../helpers/hub';
import { filledCache, mirrorOver } from './setup';

const MiB = 1 << 20;

describe('mirror: per-client rate limit', () => {
  it('lets a second of burst through, then spaces bytes at the rate, per address', () => {
    const b = new ClientBuckets(MiB);
    expect(b.take('a', MiB, 0)).toBe(0);
    expect(b.take('a', MiB / 2, 0)).toBe(500);
    // Another client has its own bucket.
    expect(b.take('b', MiB, 0)).toBe(0);
    // Refilled with time, never above one second's worth.
    expect(b.take('a', MiB / 2, 1000)).toBe(0);
    expect(b.take('c', 2 * MiB, 10_000)).toBe(1000);
    expect(new ClientBuckets(0).take('a', 10 * MiB, 0)).toBe(0);
  });

  it('holds two connections of one client to the rate together', async () => {
    const hub = await fakeHub();
    const cache = await filledCache(hub, ['acme/tiny-llm']);
    const m = await mirrorOver(cache, hub.url, { rateLimit: 2 * MiB });
    const url = `${m.endpoint}/acme/tiny-llm/resolve/main/tiny-llm-Q4_K_M.gguf`;
    // Verify first (hashing is not what is timed here).
    await fetch(url, { method: 'HEAD' });
    const start = performance.now();
    const sizes = await Promise.all([0, 1].map(async () => (await (await fetch(url)).arrayBuffer()).byteLength));
    const seconds = (performance.now() - start) / 1000;
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(total).toBe(2 * (3 * MiB + 123));
    // 6 MiB at 2 MiB/s with 2 MiB of burst: at least 2 s, whatever the machine's speed.
    expect(seconds).toBeGreaterThanOrEqual((total - 2 * MiB) / (2 * MiB) - 0.05);
  });
});
