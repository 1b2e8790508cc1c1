/** A GGUF in parts is one model: its parts' names give the whole model's name. */
import { describe, expect, it } from 'vitest';
import { SPLIT_GGUF, splitModelName } from '../../src-main/hub/split-gguf';

describe('split GGUF names', () => {
  it('names the whole model after its parts, and leaves other names alone', () => {
    expect(splitModelName('Llama-3-70B-Q4_K_M-00001-of-00003.gguf')).toBe('Llama-3-70B-Q4_K_M.gguf');
    expect(splitModelName('sub/x-00002-OF-00002.GGUF')).toBe('sub/x.gguf');
    expect(splitModelName('model.gguf')).toBe('model.gguf');
    expect(splitModelName('x-0001-of-0003.gguf')).toBe('x-0001-of-0003.gguf');
    expect(SPLIT_GGUF.exec('m-00002-of-00005.gguf')?.slice(1)).toEqual(['m', '00002', '00005']);
  });
});
