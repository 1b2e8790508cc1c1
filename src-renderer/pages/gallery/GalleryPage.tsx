import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Link } from 'wouter';
import { CloudOff } from 'lucide-react';
import type { GallerySort, ModelCardView } from '../../../src-main/contract/gallery';
import { useGallerySearch } from '../../api/gallery';
import { useSettings } from '../../api/settings';
import { PageHeader } from '../../components/PageHeader';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { useDebounced } from '../../lib/use-debounced';
import { ModelRow } from './ModelRow';
import { NativeSelect } from '../../components/ui/native-select';
import { SearchInput } from '../../components/ui/search-input';

export function GalleryPage() {
  const settings = useSettings();
  const [text, setText] = useState('');
  const [library, setLibrary] = useState<'' | 'gguf' | 'safetensors'>('');
  const [task, setTask] = useState('');
  const [sort, setSort] = useState<GallerySort>('trending');
  const search = useDebounced(text, 300);
  const offline = settings.data?.offline.enabled ?? false;
  const results = useGallerySearch({ search, library, task, sort }, !offline);
  const models = results.data?.pages.flatMap((p) => p.models) ?? [];
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: models.length, getScrollElement: () => parent.current, estimateSize: () => 64, overscan: 10 });
  const items = virtual.getVirtualItems();
  const last = items.at(-1);
  useEffect(() => {
    if (last && last.index >= models.length - 8 && results.hasNextPage && !results.isFetchingNextPage) void results.fetchNextPage();
  }, [last, models.length, results]);

  return (
    <div className="mx-auto flex h-full max-w-6xl flex-col gap-5 p-8">
      <PageHeader title="Gallery" description="Search models on the Hub. Public models download without an account." />
      {offline ? (
        <div className="flex flex-col items-center rounded-xl border border-dashed border-border px-8 py-16 text-center" data-testid="gallery-offline">
          <CloudOff className="size-8 text-warning" />
          <p className="mt-3 font-medium">Offline mode is on</p>
          <p className="mt-1 max-w-md text-sm text-muted-foreground">
            Searching the Hub needs the network. Everything already on this machine is in your Library.
          </p>
          <Button className="mt-4" asChild variant="primary">
            <Link href="/library">Open the Library</Link>
          </Button>
        </div>
      ) : (
        <>
          <div className="flex flex-wrap items-center gap-3">
            <SearchInput
              className="min-w-64 flex-1"
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="Search models, e.g. llama gguf"
              aria-label="Search models"
            />
            <NativeSelect aria-label="Format" value={library} onChange={(e) => setLibrary(e.target.value as typeof library)}>
              <option value="">All formats</option>
              <option value="gguf">GGUF</option>
              <option value="safetensors">safetensors</option>
            </NativeSelect>
            <NativeSelect aria-label="Task" value={task} onChange={(e) => setTask(e.target.value)}>
              <option value="">All tasks</option>
              <option value="text-generation">Text generation</option>
              <option value="text-to-image">Text to image</option>
              <option value="feature-extraction">Embeddings</option>
              <option value="automatic-speech-recognition">Speech recognition</option>
            </NativeSelect>
            <NativeSelect aria-label="Sort" value={sort} onChange={(e) => setSort(e.target.value as GallerySort)}>
              <option value="trending">Trending</option>
              <option value="downloads">Most downloads</option>
              <option value="likes">Most likes</option>
              <option value="updated">Recently updated</option>
            </NativeSelect>
          </div>
          {results.error ? <ErrorNotice error={results.error} /> : null}
          <div ref={parent} className="min-h-0 flex-1 overflow-y-auto rounded-xl border border-border bg-card" data-testid="gallery-results">
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {items.map((row) => (
                <div key={row.key} className="absolute left-0 w-full" style={{ top: row.start, height: row.size }}>
                  <ModelRow m={models[row.index] as ModelCardView} />
                </div>
              ))}
            </div>
            {results.isFetching ? <p className="p-4 text-center text-sm text-muted-foreground">Searching…</p> : null}
            {!results.isFetching && !models.length && !results.error ? (
              <p className="p-8 text-center text-sm text-muted-foreground">No model matches.</p>
            ) : null}
          </div>
          <p className="text-xs text-muted-foreground" data-testid="gallery-count">
            {models.length} shown{results.hasNextPage ? ', more as you scroll' : ''}
          </p>
        </>
      )}
    </div>
  );
}
