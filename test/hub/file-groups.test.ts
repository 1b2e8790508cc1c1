import { describe, expect, it } from 'vitest';
import { groupFiles, quantOf } from '../../src-main/hub/file-groups';

const f = (path: string, size = 10) => ({ path, size, lfs: path.endsWith('.gguf'), etag: '' });

describe('file groups', () => {
  it('names quantizations from GGUF file names', () => {
    expect(quantOf('Llama-3-8B-Instruct-Q4_K_M.gguf')).toBe('Q4_K_M');
    expect(quantOf('model.Q8_0.gguf')).toBe('Q8_0');
    expect(quantOf('qwen2-7b-iq3_xxs.gguf')).toBe('IQ3_XXS');
    expect(quantOf('big-F16-00002-of-00004.gguf')).toBe('F16');
    expect(quantOf('weird-name.gguf')).toBe('weird-name');
  });

  it('groups split parts as one quantization, keeps projectors apart, and sorts by kind then size', () => {
    const groups = groupFiles([
      f('README.md', 1),
      f('m-Q8_0.gguf', 800),
      f('m-Q4_K_M-00002-of-00002.gguf', 250),
      f('m-Q4_K_M-00001-of-00002.gguf', 250),
      f('mmproj-m-f16.gguf', 60),
      f('model-00001-of-00002.safetensors', 900),
      f('config.json', 2),
      f('tokenizer.json', 3),
    ]);
    expect(groups.map((g) => [g.kind, g.label, g.files.length, g.size, g.parts])).toEqual([
      ['gguf', 'Q4_K_M', 2, 500, 2],
      ['gguf', 'Q8_0', 1, 800, 1],
      ['mmproj', 'mmproj-m-f16.gguf', 1, 60, 1],
      ['safetensors', 'safetensors weights', 1, 900, 1],
      ['config', 'config and tokenizer', 2, 5, 1],
      ['other', 'other files', 1, 1, 1],
    ]);
    expect(groups[0]?.files.map((x) => x.path)).toEqual(['m-Q4_K_M-00001-of-00002.gguf', 'm-Q4_K_M-00002-of-00002.gguf']);
  });
});
