import { useMemo, useState } from 'react';
import { Boxes } from 'lucide-react';
import { useLibrary } from '../../api/library';
import { PageHeader } from '../../components/PageHeader';
import { ErrorNotice } from '../../components/ErrorNotice';
import { NativeSelect } from '../../components/ui/native-select';
import { SearchInput } from '../../components/ui/search-input';
import { AddFiles } from './AddFiles';
import { ItemCard } from './ItemCard';
import { findInLibrary, type LibrarySort } from './find';

export function LibraryPage() {
  const library = useLibrary();
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<LibrarySort>('lastUsed');
  const items = useMemo(() => findInLibrary(library.data ?? [], query, sort), [library.data, query, sort]);
  return (
    <div className="mx-auto max-w-6xl space-y-6 p-8">
      <PageHeader
        title="Library"
        description="Every model you can run here: from the Hugging Face cache, and files you dropped in (used where they are)."
        actions={<AddFiles />}
      />
      <div className="flex flex-wrap items-center gap-3">
        <SearchInput
          className="flex-1"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search by name, architecture, quantization"
          aria-label="Search the Library"
        />
        <NativeSelect value={sort} onChange={(e) => setSort(e.target.value as LibrarySort)} aria-label="Sort">
          <option value="lastUsed">Recently used</option>
          <option value="name">Name</option>
          <option value="size">Size</option>
        </NativeSelect>
      </div>
      {library.error ? <ErrorNotice error={library.error} /> : null}
      {library.data && !library.data.length ? (
        <div className="flex flex-col items-center rounded-xl border border-dashed border-border px-8 py-16 text-center">
          <Boxes className="size-8 text-primary" />
          <p className="mt-3 font-medium">Your Library is empty</p>
          <p className="mt-1 max-w-md text-sm text-muted-foreground">Download a model, or drop .gguf / .safetensors files anywhere in this window.</p>
        </div>
      ) : null}
      <ul className="grid grid-cols-[repeat(auto-fill,minmax(18rem,1fr))] gap-4">
        {items.map((i) => (
          <ItemCard key={i.key} item={i} />
        ))}
      </ul>
    </div>
  );
}
