import { describe, expect, it } from 'vitest';
import { repoFormat, usualDownload } from '../../../src-main/contract/present/model-size';

describe('usualDownload', () => {
  it('estimates Q4_K_M for GGUF repos and 16 bits for safetensors, from the parameter count', () => {
    expect(usualDownload('gguf', 8e9)).toEqual({ label: 'Q4_K_M', bytes: 4.85e9 });
    expect(usualDownload('safetensors', 1e9)).toEqual({ label: 'BF16', bytes: 2e9 });
  });

  it('says nothing without a format or a believable count', () => {
    for (const p of [null, 0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(usualDownload('gguf', p)).toBeNull();
    expect(usualDownload(null, 1e9)).toBeNull();
  });

  it('reads the format from the Hub’s tags, GGUF first', () => {
    expect(repoFormat(['safetensors', 'gguf'])).toBe('gguf');
    expect(repoFormat(['safetensors'])).toBe('safetensors');
    expect(repoFormat(['pytorch'])).toBeNull();
  });
});
