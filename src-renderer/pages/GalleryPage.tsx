import { useEffect, useRef, useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Link } from 'wouter';
import { CloudOff, Download, Heart, Search } from 'lucide-react';
import type { ApiError } from '../../src-main/contract/errors';
import type { GallerySort, ModelCardView } from '../../src-main/contract/gallery';
import { formatAgo, formatCount } from '../../src-main/contract/present/format';
import { useApi, useApiQuery } from '../api/context';
import { PageHeader } from '../components/PageHeader';
import { ErrorNotice } from '../components/ErrorNotice';
import { ExternalLinkButton } from '../components/ExternalLink';
import { AccessBadges } from '../components/AccessBadges';
import { Button } from '../components/ui/button';
import { Input } from '../components/ui/input';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function ModelRow({ m }: { m: ModelCardView }) {
  return (
    <div className="flex h-full items-center gap-4 border-b border-border px-4" data-testid="model-card">
      <div className="min-w-0 flex-1">
        <div className="flex items-center gap-2">
          <Link href={`/model/${encodeURIComponent(m.id)}`} className="truncate font-medium hover:text-primary hover:underline">
            {m.id}
          </Link>
          <AccessBadges gated={m.gated} isPrivate={m.private} />
        </div>
        <div className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-muted-foreground">
          {m.pipelineTag ? <span>{m.pipelineTag}</span> : null}
          {m.parameters ? <span>{formatCount(m.parameters)} params</span> : null}
          <span>updated {formatAgo(m.lastModified)}</span>
        </div>
      </div>
      <span className="flex w-20 items-center justify-end gap-1 text-xs text-muted-foreground" title="Downloads">
        <Download className="size-3.5" />
        {formatCount(m.downloads)}
      </span>
      <span className="flex w-16 items-center justify-end gap-1 text-xs text-muted-foreground" title="Likes">
        <Heart className="size-3.5" />
        {formatCount(m.likes)}
      </span>
      <ExternalLinkButton href={m.url}>Hub</ExternalLinkButton>
    </div>
  );
}

export function GalleryPage() {
  const api = useApi();
  const settings = useApiQuery('settings.get', {});
  const [text, setText] = useState('');
  const [library, setLibrary] = useState<'' | 'gguf' | 'safetensors'>('');
  const [task, setTask] = useState('');
  const [sort, setSort] = useState<GallerySort>('trending');
  const search = useDebounced(text, 300);
  const offline = settings.data?.offline.enabled ?? false;
  // Each filter combination is its own query: a late answer for old criteria never lands on new ones.
  const results = useInfiniteQuery({
    queryKey: ['gallery.search', search, library, task, sort],
    enabled: !offline,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.call('gallery.search', {
        sort,
        ...(search ? { search } : {}),
        ...(library ? { library } : {}),
        ...(task ? { task } : {}),
        ...(pageParam ? { cursor: pageParam } : {}),
      }),
    getNextPageParam: (last) => last.cursor ?? undefined,
  });
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
            <div className="relative min-w-64 flex-1">
              <Search className="absolute left-2.5 top-2.5 size-4 text-muted-foreground" />
              <Input
                value={text}
                onChange={(e) => setText(e.target.value)}
                placeholder="Search models, e.g. llama gguf"
                className="pl-8"
                aria-label="Search models"
              />
            </div>
            <select
              aria-label="Format"
              value={library}
              onChange={(e) => setLibrary(e.target.value as typeof library)}
              className="h-9 rounded-md border border-input bg-background px-2 text-sm"
            >
              <option value="">All formats</option>
              <option value="gguf">GGUF</option>
              <option value="safetensors">safetensors</option>
            </select>
            <select
              aria-label="Task"
              value={task}
              onChange={(e) => setTask(e.target.value)}
              className="h-9 rounded-md border border-input bg-background px-2 text-sm"
            >
              <option value="">All tasks</option>
              <option value="text-generation">Text generation</option>
              <option value="text-to-image">Text to image</option>
              <option value="feature-extraction">Embeddings</option>
              <option value="automatic-speech-recognition">Speech recognition</option>
            </select>
            <select
              aria-label="Sort"
              value={sort}
              onChange={(e) => setSort(e.target.value as GallerySort)}
              className="h-9 rounded-md border border-input bg-background px-2 text-sm"
            >
              <option value="trending">Trending</option>
              <option value="downloads">Most downloads</option>
              <option value="likes">Most likes</option>
              <option value="updated">Recently updated</option>
            </select>
          </div>
          {results.error ? <ErrorNotice error={results.error as ApiError} /> : null}
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
