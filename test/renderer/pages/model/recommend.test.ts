/** The recommended quantization: the largest that fits on the GPU, else the largest that fits at all, never a too-big one. */
import { describe, expect, it } from 'vitest';
import type { FitEstimate, FitVerdict } from '../../../../src-main/contract/inference';
import { recommendQuant } from '../../../../src-renderer/pages/model/recommend';

const fit = (verdict: FitVerdict): FitEstimate => ({
  verdict,
  backend: 'cpu',
  gpuLayers: 0,
  totalLayers: 10,
  contextSize: 8192,
  vramNeeded: 0,
  ramNeeded: 0,
  vram: null,
  ram: { total: 1, free: 1 },
  modelSize: 1,
  parameters: null,
});

describe('recommendQuant', () => {
  it('takes the largest that runs wholly on the GPU over a larger partial one', () => {
    expect(
      recommendQuant([
        { label: 'Q4_K_M', size: 4, fit: fit('gpu') },
        { label: 'Q6_K', size: 6, fit: fit('gpu') },
        { label: 'Q8_0', size: 8, fit: fit('partial') },
        { label: 'F16', size: 16, fit: fit('too-big') },
      ]),
    ).toBe('Q6_K');
  });

  it('without a GPU fit, takes the largest that fits at all', () => {
    expect(
      recommendQuant([
        { label: 'Q4_K_M', size: 4, fit: fit('cpu') },
        { label: 'Q8_0', size: 8, fit: fit('cpu') },
        { label: 'F16', size: 16, fit: fit('too-big') },
      ]),
    ).toBe('Q8_0');
  });

  it('recommends nothing when nothing fits or nothing is known', () => {
    expect(recommendQuant([{ label: 'F16', size: 16, fit: fit('too-big') }])).toBeNull();
    expect(recommendQuant([{ label: 'Q4_K_M', size: 4, fit: undefined }])).toBeNull();
    expect(recommendQuant([])).toBeNull();
  });
});
