import { describe, expect, it } from 'vitest';
import { BYTES_PER_THREAD, defaultThreads } from '../../src-main/inference/threads';

const GB = 1e9;

describe('default CPU threads', () => {
  it('uses the physical cores for a big model on an idle machine, never the logical ones', () => {
    expect(defaultThreads({ mathCores: 8, logicalCores: 16, loadAverage: 0.2, modelBytes: 4.7 * GB })).toEqual({ threads: 8, reason: '8 physical cores' });
  });

  it('leaves out cores other programs keep busy, keeping at least one', () => {
    expect(defaultThreads({ mathCores: 8, logicalCores: 8, loadAverage: 3.4, modelBytes: 20 * GB })).toMatchObject({
      threads: 5,
      reason: '8 physical cores, 3 busy with other programs',
    });
    expect(defaultThreads({ mathCores: 2, logicalCores: 2, loadAverage: 6, modelBytes: 20 * GB }).threads).toBe(1);
    // Hyperthreads absorb load first: 8 cores, 16 logical, 6 busy still leaves 8 idle physical ones.
    expect(defaultThreads({ mathCores: 8, logicalCores: 16, loadAverage: 6, modelBytes: 20 * GB }).threads).toBe(8);
  });

  it('gives a small model fewer threads: one per 256 MiB of weights', () => {
    expect(defaultThreads({ mathCores: 2, logicalCores: 2, loadAverage: 0, modelBytes: 230e6 })).toMatchObject({
      threads: 1,
      reason: expect.stringMatching(/gains nothing from more/),
    });
    expect(defaultThreads({ mathCores: 16, logicalCores: 32, loadAverage: 0, modelBytes: 3 * BYTES_PER_THREAD }).threads).toBe(3);
    expect(defaultThreads({ mathCores: 16, logicalCores: 32, loadAverage: 0, modelBytes: 3 * BYTES_PER_THREAD + 1 }).threads).toBe(4);
  });

  it('is safe with what a platform may not know (no load average on Windows, odd core counts)', () => {
    expect(defaultThreads({ mathCores: 0, logicalCores: 0, loadAverage: Number.NaN, modelBytes: null }).threads).toBe(1);
    expect(defaultThreads({ mathCores: 4, logicalCores: 4, loadAverage: 0, modelBytes: null }).threads).toBe(4);
  });
});
