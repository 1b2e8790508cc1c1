import { describe, expect, it } from 'vitest';
import type { FileGroup, ModelDetails } from '../../../../src-main/contract/model';
import { focusedGroup, missingFocus } from '../../../../src-renderer/pages/model/link-focus';

const group = (kind: FileGroup['kind'], label: string, paths: string[]): FileGroup => ({
  kind,
  label,
  files: paths.map((path) => ({ path, size: 1 })) as FileGroup['files'],
  size: paths.length,
  parts: 1,
});
const q4 = group('gguf', 'Q4_K_M', ['tiny-Q4_K_M.gguf']);
const q8 = group('gguf', 'Q8_0', ['q8/tiny-Q8_0-00001-of-00002.gguf', 'q8/tiny-Q8_0-00002-of-00002.gguf']);
const config = group('config', 'Config', ['config.json']);
const model = { groups: [q4, q8, config] } as ModelDetails;

describe('the row a pasted link named', () => {
  it('is the group holding the file, a split part included', () => {
    expect(focusedGroup(model, 'q8/tiny-Q8_0-00002-of-00002.gguf', null)).toBe(q8);
    expect(focusedGroup(model, 'config.json', 'Q4_K_M')).toBe(config);
  });

  it('is the quantization of that name, whatever its case, and only a GGUF one', () => {
    expect(focusedGroup(model, null, 'q4_k_m')).toBe(q4);
    expect(focusedGroup(model, null, 'config')).toBeNull();
    expect(focusedGroup(model, null, null)).toBeNull();
  });

  it('is said to be missing when the model has no such file or quantization', () => {
    expect(missingFocus('nope.gguf', null, focusedGroup(model, 'nope.gguf', null))).toBe('nope.gguf');
    expect(missingFocus(null, 'Q2_K', focusedGroup(model, null, 'Q2_K'))).toBe('Q2_K');
    expect(missingFocus(null, 'Q4_K_M', q4)).toBeNull();
    expect(missingFocus(null, null, null)).toBeNull();
  });
});
