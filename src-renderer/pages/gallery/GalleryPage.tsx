import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Link, useLocation, useSearchParams } from 'wouter';
import { CloudOff } from 'lucide-react';
import type { ModelCardView } from '../../../src-main/contract/gallery';
import { GALLERY_SORTS, type GallerySort } from '../../../src-main/contract/present/gallery';
import { isTerminal } from '../../../src-main/contract/present/job-state';
import type { ApiError } from '../../../src-main/contract/errors';
import { repoKey } from '../../../src-main/contract/present/repo-key';
import { useCacheScan } from '../../api/cache';
import { useDownloads } from '../../api/downloads';
import { useGallerySearch, type GalleryCriteria } from '../../api/gallery';
import { useHubStatus } from '../../api/hub';
import { useSettings } from '../../api/settings';
import { PageHeader } from '../../components/PageHeader';
import { ErrorNotice } from '../../components/ErrorNotice';
import { HubDownNotice } from '../../components/HubDownNotice';
import { Button } from '../../components/ui/button';
import { cn } from '../../lib/cn';
import { useDebounced } from '../../lib/use-debounced';
import { modelPagePath, parseModelReference } from './model-reference';
import { ModelRow, type LocalMark } from './ModelRow';
import { GalleryFilters } from './GalleryFilters';
import { ModelJump } from './ModelJump';
import { SearchInput } from '../../components/ui/search-input';
import { Page } from '../../components/Page';

const SORTS = new Set<string>(GALLERY_SORTS);

/** The Hub not answering (or answering 5xx) is said like offline mode, not as an error code. */
const hubDown = (e: ApiError) => e.code === 'NETWORK' || e.code === 'SERVER_ERROR';
const FORMATS = new Set(['gguf', 'safetensors']);

/** The search lives in the URL (`#/gallery?q=…&format=…&task=…&sort=…`): Back, Forward and reload keep it. */
function useGalleryParams() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const format = params.get('format') ?? '';
  const sort = params.get('sort') ?? '';
  const criteria = {
    search: q,
    library: (FORMATS.has(format) ? format : '') as GalleryCriteria['library'],
    task: /^[a-z0-9-]{1,64}$/.test(params.get('task') ?? '') ? (params.get('task') as string) : '',
    sort: (SORTS.has(sort) ? sort : 'trending') as GallerySort,
  };
  const set = (patch: Partial<Record<'q' | 'format' | 'task' | 'sort', string>>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(patch)) {
          if (v && !(k === 'sort' && v === 'trending')) next.set(k, v);
          else next.delete(k);
        }
        return next;
      },
      // The list a Back button returns to is the one last seen, not every keystroke on the way.
      { replace: true },
    );
  return { criteria, set };
}

/** Which results this machine already has (in the cache) or is fetching now. */
function useLocalMarks(): (id: string) => LocalMark {
  const cached = new Set((useCacheScan().data?.repos ?? []).map((r) => r.key));
  const fetching = new Set(
    (useDownloads().data ?? []).filter((j) => !isTerminal(j.state)).map((j) => repoKey({ type: j.request.repoType, id: j.request.repo })),
  );
  return (id) => {
    const key = repoKey({ type: 'model', id });
    return fetching.has(key) ? 'downloading' : cached.has(key) ? 'cached' : null;
  };
}

export function GalleryPage() {
  const settings = useSettings();
  const { criteria, set } = useGalleryParams();
  const [text, setText] = useState(criteria.search);
  const search = useDebounced(text, 300);
  useEffect(() => {
    if (search !== criteria.search) set({ q: search });
    // Only a settled search is written to the URL.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);
  const local = useLocalMarks();
  const offline = settings.data?.offline.enabled ?? false;
  const [, navigate] = useLocation();
  const endpoint = useHubStatus().data?.endpoint;
  // A pasted URL or repo id names a model: Enter (or pasting a URL) opens it; the list searches its id.
  const reference = parseModelReference(text, endpoint);
  const pastedUrl = (t: string) => /^(?:https?:\/\/|(?:www\.)?(?:huggingface\.co|hf\.co)\/)/i.test(t.trim());
  const results = useGallerySearch({ ...criteria, search: reference && search === text ? reference.repo : search }, !offline);
  const models = results.data?.pages.flatMap((p) => p.models) ?? [];
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: models.length, getScrollElement: () => parent.current, estimateSize: () => 64, overscan: 10 });
  const items = virtual.getVirtualItems();
  const last = items.at(-1);
  useEffect(() => {
    if (last && last.index >= models.length - 8 && results.hasNextPage && !results.isFetchingNextPage) void results.fetchNextPage();
  }, [last, models.length, results]);

  return (
    <Page fill>
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
            <form
              role="search"
              className="min-w-64 flex-1"
              onSubmit={(e) => {
                e.preventDefault();
                if (reference) navigate(modelPagePath(reference));
              }}
            >
              <SearchInput
                value={text}
                onChange={(e) => setText(e.target.value)}
                onPaste={(e) => {
                  const pasted = e.clipboardData.getData('text');
                  const ref = pastedUrl(pasted) ? parseModelReference(pasted, endpoint) : null;
                  if (ref) {
                    e.preventDefault();
                    setText(pasted.trim());
                    navigate(modelPagePath(ref));
                  }
                }}
                placeholder="Search, or paste a Hub link or org/name"
                aria-label="Search models"
              />
            </form>
            <GalleryFilters criteria={criteria} set={set} />
          </div>
          {reference ? <ModelJump reference={reference} /> : null}
          {results.error && hubDown(results.error) ? (
            <HubDownNotice
              title={
                results.error.code === 'NETWORK'
                  ? 'Hub unreachable: searching needs it. Everything already on this machine is in your Library.'
                  : 'The Hub is answering with errors: searching needs it. Everything already on this machine is in your Library.'
              }
              problem={results.error}
              onRetry={() => void results.refetch()}
              retrying={results.isFetching}
              library
            />
          ) : results.error ? (
            <ErrorNotice error={results.error} onRetry={() => void results.refetch()} />
          ) : null}
          <div
            ref={parent}
            className={cn('min-h-0 flex-1 overflow-y-auto rounded-xl border border-border bg-card', results.error && !models.length && 'hidden')}
            data-testid="gallery-results"
          >
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {items.map((row) => (
                <div key={row.key} className="absolute left-0 w-full" style={{ top: row.start, height: row.size }}>
                  <ModelRow m={models[row.index] as ModelCardView} local={local((models[row.index] as ModelCardView).id)} />
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
    </Page>
  );
}
