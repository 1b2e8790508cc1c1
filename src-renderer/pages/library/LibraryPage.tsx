import { useMemo, useState } from 'react';
import { useLibrary } from '../../api/library';
import { PageHeader } from '../../components/PageHeader';
import { ErrorNotice } from '../../components/ErrorNotice';
import { NativeSelect } from '../../components/ui/native-select';
import { SearchInput } from '../../components/ui/search-input';
import { AddFiles } from './AddFiles';
import { EmptyLibrary } from './EmptyLibrary';
import { FindModelsButton, FindModelsPanel } from './FindModels';
import { ItemCard } from './ItemCard';
import { findInLibrary, type LibrarySort } from './find';
import { Page } from '../../components/Page';

export function LibraryPage() {
  const library = useLibrary();
  const [query, setQuery] = useState('');
  const [finding, setFinding] = useState(false);
  const [sort, setSort] = useState<LibrarySort>('lastUsed');
  const items = useMemo(() => findInLibrary(library.data ?? [], query, sort), [library.data, query, sort]);
  return (
    <Page>
      <PageHeader
        title="Library"
        description="Every model you can run here: from the Hugging Face cache, and files you dropped in (used where they are)."
        actions={
          library.data?.length ? (
            <div className="flex items-start gap-2">
              <FindModelsButton onClick={() => setFinding(true)} />
              <AddFiles />
            </div>
          ) : undefined
        }
      />
      <div className={library.data?.length ? 'flex flex-wrap items-center gap-3' : 'hidden'}>
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
      {library.data && !library.data.length ? <EmptyLibrary onFind={() => setFinding(true)} /> : null}
      <FindModelsPanel open={finding} onOpenChange={setFinding} />
      <ul className="grid grid-cols-[repeat(auto-fill,minmax(18rem,1fr))] gap-4">
        {items.map((i) => (
          <ItemCard key={i.key} item={i} />
        ))}
      </ul>
    </Page>
  );
}
