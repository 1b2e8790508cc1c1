import { describe, expect, it } from 'vitest';
import type { FitEstimate } from '../../src-main/contract/inference';
import { describeFit } from '../../src-main/contract/present/fit';
import { formatAgo, formatBytes, formatDuration } from '../../src-main/contract/present/format';

describe('formatting for people', () => {
  it('says how long ago, from epoch ms or ISO dates', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(formatAgo(now - 10_000, now)).toBe('1 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo('2026-11-10T12:00:00Z', now)).toBe('12 d ago');
    expect(formatAgo('2026-05-22T12:00:00Z', now)).toBe('6 months ago');
    expect(formatAgo(null, now)).toBe('—');
    expect(formatAgo('not a date', now)).toBe('—');
  });

  it('formats sizes and durations', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500_000)).toBe('1.50 MB');
    expect(formatDuration(125)).toBe('2 min 5 s');
  });

  it('puts the numbers behind each fit verdict in one sentence', () => {
    const base: FitEstimate = {
      verdict: 'gpu',
      backend: 'cuda',
      gpuLayers: 33,
      totalLayers: 33,
      contextSize: 8192,
      vramNeeded: 6e9,
      ramNeeded: 1e9,
      vram: { total: 24e9, free: 20e9 },
      ram: { total: 64e9, free: 40e9 },
      modelSize: 5e9,
      parameters: 8e9,
    };
    expect(describeFit(base)).toBe('Fits on the GPU: all 33 layers, 6.00 GB of VRAM (20.0 GB free of 24.0 GB), with a 8192-token context.');
    expect(describeFit({ ...base, verdict: 'partial', gpuLayers: 20 })).toMatch(/^Partly on the GPU: 20 of 33 layers/);
    expect(describeFit({ ...base, verdict: 'cpu', backend: 'cpu', vram: null })).toBe(
      'Runs on the CPU: needs about 1.00 GB of RAM (64.0 GB in this machine) with a 8192-token context.',
    );
    expect(describeFit({ ...base, verdict: 'too-big', vram: null })).toMatch(/^Too big for this machine: needs about 1\.00 GB of RAM/);
  });
});
