/** The Library's search box and sort. */
import { describe, expect, it } from 'vitest';
import { findInLibrary } from '../../../../src-renderer/pages/library/find';
import type { LibraryItem } from '../../../../src-main/contract/library';

function item(name: string, over: Partial<LibraryItem> = {}): LibraryItem {
  return {
    key: `local:${name}`,
    source: 'local',
    kind: 'gguf',
    name,
    path: `/m/${name}`,
    parts: 1,
    size: 1,
    summary: null,
    repo: null,
    revision: null,
    addedAt: '2026-01-01T00:00:00.000Z',
    lastUsed: null,
    missing: false,
    inHubcapFolder: false,
    foundIn: null,
    problem: null,
    ...over,
  };
}

describe('findInLibrary', () => {
  const all = [
    item('b.gguf', {
      size: 5,
      lastUsed: '2026-06-01T00:00:00.000Z',
      summary: { architecture: 'llama', parameters: 1, quantization: 'Q4_K_M', contextLength: 1 },
    }),
    item('a.gguf', { size: 9, repo: 'acme/qwen-GGUF' }),
    item('c.safetensors', { kind: 'safetensors', size: 1, addedAt: '2026-09-01T00:00:00.000Z' }),
  ];

  it('matches name, repo, architecture and quantization, case-blind', () => {
    expect(findInLibrary(all, 'QWEN', 'name').map((i) => i.name)).toEqual(['a.gguf']);
    expect(findInLibrary(all, 'q4_k', 'name').map((i) => i.name)).toEqual(['b.gguf']);
    expect(findInLibrary(all, ' llama ', 'name').map((i) => i.name)).toEqual(['b.gguf']);
  });

  it('sorts by name, by size (largest first) and by last use (or addition) newest first', () => {
    expect(findInLibrary(all, '', 'name').map((i) => i.name)).toEqual(['a.gguf', 'b.gguf', 'c.safetensors']);
    expect(findInLibrary(all, '', 'size').map((i) => i.name)).toEqual(['a.gguf', 'b.gguf', 'c.safetensors']);
    expect(findInLibrary(all, '', 'lastUsed').map((i) => i.name)).toEqual(['c.safetensors', 'b.gguf', 'a.gguf']);
  });

  it('leaves the list it was given alone', () => {
    const copy = [...all];
    findInLibrary(all, '', 'name');
    expect(all).toEqual(copy);
  });
});
