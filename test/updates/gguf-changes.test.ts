/** What changed in a GGUF's metadata between two headers: every key compared, the ones people care about first, long values cut. */
import { describe, expect, it } from 'vitest';
import { compareGguf, ggufChanges } from '../../src-main/updates/gguf-changes';
import { FormatError } from '../../src-main/library/format-error';
import type { GgufHeader, GgufValue } from '../../src-main/library/gguf-header';

const header = (metadata: Record<string, GgufValue>): GgufHeader => ({
  version: 3,
  tensorCount: 0,
  metadata,
  tensors: [],
  alignment: 32,
  dataOffset: 0,
  headerBytes: 0,
});
const arr = (values: (string | number)[] | undefined, length = values?.length ?? 0, type = 8) => ({ array: { type, length, ...(values ? { values } : {}) } });

describe('ggufChanges', () => {
  it('lists added, removed and changed keys, chat template and architecture first, the rest by interest then name', () => {
    const before = header({
      'general.name': 'Tiny',
      'llama.context_length': 2048,
      'tokenizer.chat_template': '{{ a }}',
      'tokenizer.ggml.tokens': arr(['a', 'b']),
      'zeta.custom': 1,
      'removed.key': true,
      same: 'x',
    });
    const after = header({
      'general.name': 'Tiny v2',
      'llama.context_length': 4096,
      'tokenizer.chat_template': '{{ b }}',
      'tokenizer.ggml.tokens': arr(['a', 'c']),
      'zeta.custom': 1,
      'general.architecture': 'llama',
      same: 'x',
    });
    expect(ggufChanges(before, after)).toEqual([
      { key: 'tokenizer.chat_template', change: 'changed', before: '{{ a }}', after: '{{ b }}' },
      { key: 'general.architecture', change: 'added', before: null, after: 'llama' },
      { key: 'tokenizer.ggml.tokens', change: 'changed', before: '[a, b]', after: '[a, c]' },
      { key: 'general.name', change: 'changed', before: 'Tiny', after: 'Tiny v2' },
      { key: 'llama.context_length', change: 'changed', before: '2048', after: '4096' },
      { key: 'removed.key', change: 'removed', before: 'true', after: null },
    ]);
  });

  it('compares long arrays by type and length only (the reader does not keep them), and cuts long values for display', () => {
    const vocabA = arr(undefined, 32000);
    expect(ggufChanges(header({ v: vocabA }), header({ v: arr(undefined, 32000) }))).toEqual([]);
    expect(ggufChanges(header({ v: vocabA }), header({ v: arr(undefined, 32001) }))).toEqual([
      { key: 'v', change: 'changed', before: '32,000 entries', after: '32,001 entries' },
    ]);
    expect(ggufChanges(header({ v: arr([1, 2], 2, 4) }), header({ v: arr([1, 2], 2, 5) }))).toHaveLength(1);
    const long = 't'.repeat(5000);
    const [c] = ggufChanges(header({ 'tokenizer.chat_template': 'short' }), header({ 'tokenizer.chat_template': long }));
    expect(c?.after).toBe(`${'t'.repeat(400)}… (5,000 characters)`);
  });

  it('stops at 200 changes for a hostile header of thousands of keys', () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    expect(ggufChanges(header({}), header(many))).toHaveLength(200);
  });
});

describe('compareGguf', () => {
  it('says in words when a header cannot be read, instead of throwing', async () => {
    const ok = async () => header({ a: 1 });
    expect(await compareGguf(ok, async () => header({ a: 2 }))).toEqual({ changes: [{ key: 'a', change: 'changed', before: '1', after: '2' }] });
    expect(
      await compareGguf(ok, async () => {
        throw new FormatError('NOT_GGUF', 'not a GGUF file');
      }),
    ).toEqual({ note: 'Its metadata could not be compared: not a GGUF file' });
  });
});
