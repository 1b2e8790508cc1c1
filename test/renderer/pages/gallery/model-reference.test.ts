/** Pasted model names: every form people copy from the Hub, Ollama or a README lands on the model. */
import { describe, expect, it } from 'vitest';
import { modelPagePath, parseModelReference } from '../../../../src-renderer/pages/gallery/model-reference';

describe('parseModelReference', () => {
  it.each([
    ['https://huggingface.co/acme/tiny-llm', { repo: 'acme/tiny-llm' }],
    ['https://huggingface.co/acme/tiny-llm/', { repo: 'acme/tiny-llm' }],
    ['https://huggingface.co/acme/tiny-llm?library=gguf#files', { repo: 'acme/tiny-llm' }],
    ['https://huggingface.co/acme/tiny-llm/tree/main', { repo: 'acme/tiny-llm' }],
    ['https://huggingface.co/acme/tiny-llm/tree/v1.0', { repo: 'acme/tiny-llm', revision: 'v1.0' }],
    ['https://huggingface.co/acme/tiny-llm/blob/main/tiny-llm-Q4_K_M.gguf', { repo: 'acme/tiny-llm', file: 'tiny-llm-Q4_K_M.gguf' }],
    ['https://huggingface.co/acme/tiny-llm/resolve/main/sub/x.gguf?download=true', { repo: 'acme/tiny-llm', file: 'sub/x.gguf' }],
    ['https://www.huggingface.co/acme/tiny-llm', { repo: 'acme/tiny-llm' }],
    ['huggingface.co/acme/tiny-llm', { repo: 'acme/tiny-llm' }],
    ['hf.co/acme/tiny-llm', { repo: 'acme/tiny-llm' }],
    ['https://hf.co/acme/tiny-llm', { repo: 'acme/tiny-llm' }],
    ['hf.co/acme/tiny-llm:Q4_K_M', { repo: 'acme/tiny-llm', quant: 'Q4_K_M' }],
    ['acme/tiny-llm', { repo: 'acme/tiny-llm' }],
    ['acme/tiny-llm:Q8_0', { repo: 'acme/tiny-llm', quant: 'Q8_0' }],
    ['  https://huggingface.co/acme/tiny-llm  ', { repo: 'acme/tiny-llm' }],
  ])('%s', (text, expected) => {
    expect(parseModelReference(text)).toEqual(expected);
  });

  it('accepts the configured Hub endpoint (HF_ENDPOINT) as well', () => {
    expect(parseModelReference('http://127.0.0.1:4567/acme/tiny-llm/tree/v1.0', 'http://127.0.0.1:4567')).toEqual({ repo: 'acme/tiny-llm', revision: 'v1.0' });
    expect(parseModelReference('http://127.0.0.1:4567/acme/tiny-llm')).toBeNull();
  });

  it.each([
    'llama gguf',
    'llama',
    'https://example.com/acme/tiny-llm',
    'https://huggingface.co/datasets/acme/data',
    'https://huggingface.co/spaces/acme/demo',
    'https://huggingface.co/acme',
    'acme/bad--name',
    'acme/../etc',
    'a/b/c',
    'hf.co/acme/tiny-llm:Q4:K',
    'https://huggingface.co/acme/%E0%A4%A',
  ])('is a search, not a model: %s', (text) => {
    expect(parseModelReference(text)).toBeNull();
  });

  it('makes the model page address with what was named', () => {
    expect(modelPagePath({ repo: 'acme/tiny-llm' })).toBe('/model/acme%2Ftiny-llm');
    expect(modelPagePath({ repo: 'acme/tiny-llm', revision: 'v1.0', file: 'a b.gguf' })).toBe('/model/acme%2Ftiny-llm?revision=v1.0&file=a+b.gguf');
    expect(modelPagePath({ repo: 'acme/tiny-llm', quant: 'Q4_K_M' })).toBe('/model/acme%2Ftiny-llm?quant=Q4_K_M');
  });
});
