/** The app itself and what the shell can do: versions, capabilities, folders, links, the clipboard. */
import { useMutation } from '@tanstack/react-query';
import type { Place } from '../../src-main/contract/app';
import { useApi, useApiQuery } from './context';

export function useAppInfo() {
  return useApiQuery('app.info', {});
}

/** Opens a named place (or a cached repo, or a Library item's file) in the file manager: desktop only. */
export function useOpenPlace() {
  const api = useApi();
  return useMutation({
    mutationFn: (target: { place: Place } | { place: 'cacheRepo'; repo: string } | { place: 'libraryItem'; key: string }) => api.call('places.open', target),
  });
}

/** The native "choose folders" dialog (desktop only: `capabilities.pickFolders`). */
export function usePickFolders() {
  const api = useApi();
  return useMutation({ mutationFn: () => api.call('places.pickFolders', {}) });
}

/**
 * Links outside the app: on the desktop the core opens them in the system browser (`viaCore`); in
 * a browser a plain `target=_blank` link does it, so components render one then.
 */
export function useExternalLinks() {
  const api = useApi();
  const info = useAppInfo();
  return { viaCore: info.data?.capabilities.openExternal ?? false, open: (url: string) => void api.call('links.openExternal', { url }) };
}

/** Copies text: through the core on the desktop, through the page's own clipboard in a browser. */
export function useCopyText() {
  const api = useApi();
  const info = useAppInfo();
  return useMutation({
    mutationFn: async (text: string) => {
      if (info.data?.capabilities.clipboard) await api.call('clipboard.writeText', { text });
      else await navigator.clipboard.writeText(text);
    },
  });
}

/** One folder as a picker without a native dialog shows it (its subfolders, files and size); none asked until `enabled`. */
export function useBrowse(path: string | undefined, enabled = true) {
  return useApiQuery('places.browse', path ? { path } : {}, { enabled, retry: false, staleTime: 10_000 });
}

/** Free space on the cache's drive (asked again after a while: downloads and deletes change it). */
export function useCacheFreeSpace() {
  return useApiQuery('places.cacheFreeSpace', {}, { staleTime: 15_000, retry: false });
}
