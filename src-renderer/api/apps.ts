/** Other apps' models in the renderer: the scan (only when asked), adding to the Library, adopting into the cache. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { AdoptMode, AppsProgress } from '../../src-main/contract/apps';
import { useApi } from './context';

/** Scans on demand (the user's consent is the click): a mutation, not a query that runs by itself. */
export function useScanApps() {
  const api = useApi();
  return useMutation({ mutationFn: (input: { folders?: string[]; hash?: boolean }) => api.call('apps.scan', input) });
}

export function useCancelScan() {
  const api = useApi();
  return useMutation({ mutationFn: () => api.call('apps.cancelScan', {}) });
}

/** The scan's progress while it runs (none once it is over). */
export function useAppsProgress(active: boolean): AppsProgress | null {
  const api = useApi();
  const [progress, setProgress] = useState<AppsProgress | null>(null);
  useEffect(() => (active ? api.on('apps.progress', setProgress) : undefined), [api, active]);
  return active ? progress : null;
}

export function useAddFoundToLibrary() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (paths: string[]) => api.call('apps.addToLibrary', { paths }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['library.list'] }),
  });
}

export function useAdopt() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { path: string; repo?: string; mode: AdoptMode; dryRun: boolean }) => api.call('apps.adopt', input),
    onSuccess: (_r, input) => {
      if (input.dryRun) return;
      for (const key of ['cache.scan', 'cache.presence', 'library.list']) void client.invalidateQueries({ queryKey: [key] });
    },
  });
}

export function useReclaimPlan() {
  const api = useApi();
  return useMutation({ mutationFn: () => api.call('apps.reclaimPlan', {}) });
}

export function useReclaim() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (opts: { allowLink: boolean } = { allowLink: false }) => api.call('apps.reclaim', { confirm: true, allowLink: opts.allowLink }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['cache.scan'] }),
  });
}

export function useAdoptRepo() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { paths: string[]; mode: AdoptMode; dryRun: boolean }) => api.call('apps.adoptRepo', input),
    onSuccess: (_r, input) => {
      if (input.dryRun) return;
      for (const key of ['cache.scan', 'cache.presence', 'library.list']) void client.invalidateQueries({ queryKey: [key] });
    },
  });
}
