import type { LibraryItem } from '../../../src-main/contract/library';

export type LibrarySort = 'lastUsed' | 'name' | 'size';

/** The Library's search box and sort: words match name, repo, architecture and quantization. */
export function findInLibrary(all: readonly LibraryItem[], query: string, sort: LibrarySort): LibraryItem[] {
  const q = query.trim().toLowerCase();
  const list = all.filter((i) => !q || `${i.name} ${i.repo ?? ''} ${i.summary?.architecture ?? ''} ${i.summary?.quantization ?? ''}`.toLowerCase().includes(q));
  const key = (i: LibraryItem) => (sort === 'name' ? i.name.toLowerCase() : sort === 'size' ? -i.size : -Date.parse(i.lastUsed ?? i.addedAt ?? '1970-01-01'));
  return list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
