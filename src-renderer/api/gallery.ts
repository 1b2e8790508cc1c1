/** The Hub as the Gallery sees it: search pages, a model's details, and whether one GGUF fits here. */
import { useInfiniteQuery, useQueries } from '@tanstack/react-query';
import type { ApiError } from '../../src-main/contract/errors';
import type { GallerySort, SearchPage } from '../../src-main/contract/gallery';
import { useApi, useApiQuery } from './context';

export interface GalleryCriteria {
  search: string;
  library: '' | 'gguf' | 'safetensors';
  task: string;
  sort: GallerySort;
}

/**
 * Search results page by page (the Hub's cursor). Each criteria combination is its own query, so a
 * late answer for old criteria never lands on new ones.
 */
export function useGallerySearch(c: GalleryCriteria, enabled: boolean) {
  const api = useApi();
  return useInfiniteQuery<SearchPage, ApiError>({
    queryKey: ['gallery.search', c.search, c.library, c.task, c.sort],
    enabled,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.call('gallery.search', {
        sort: c.sort,
        ...(c.search ? { search: c.search } : {}),
        ...(c.library ? { library: c.library } : {}),
        ...(c.task ? { task: c.task } : {}),
        ...(typeof pageParam === 'string' ? { cursor: pageParam } : {}),
      }),
    getNextPageParam: (last) => last.cursor ?? undefined,
  });
}

export function useModelDetails(repo: string, revision: string) {
  return useApiQuery('gallery.model', { repo, revision });
}

/** node-llama-cpp's estimate from the file's header alone; a commit's file never changes, so it is asked once. */
export function useHubFit(repo: string, commit: string, path: string, enabled = true) {
  return useApiQuery('gallery.fit', { repo, revision: commit, path }, { staleTime: Infinity, retry: false, enabled });
}

/** The same estimates for every quantization of a page at once (shared with useHubFit's cache), to pick one to recommend. */
export function useHubFits(repo: string, commit: string, paths: readonly string[], enabled = true) {
  const api = useApi();
  return useQueries({
    queries: paths.map((path) => {
      const input = { repo, revision: commit, path };
      return { queryKey: ['gallery.fit', input], queryFn: () => api.call('gallery.fit', input), staleTime: Infinity, retry: false, enabled };
    }),
  });
}
