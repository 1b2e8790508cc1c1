/**
 * The cache in the renderer: the scan (answered from the core's warm index), a repo's files, the
 * plan-then-delete flow, verify and repair. A finished download makes the scan stale.
 */
import { useEffect } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { DeleteTargetInput } from '../../src-main/contract/cache';
import { useApi, useApiQuery } from './context';
import { putJob } from './downloads';

export const cacheScanKey = ['cache.scan', {}] as const;

/** Re-asked on each visit; the core answers from its warm scan when it is recent. */
export function useCacheScan() {
  return useApiQuery('cache.scan', {}, { staleTime: 2000, refetchOnMount: true });
}

/** A scan from the disk, not the warm index (the Rescan button). */
export function useRescan() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({ mutationFn: () => api.call('cache.scan', { fresh: true }), onSuccess: (data) => client.setQueryData(cacheScanKey, data) });
}

/** A finished download changes the cache: the scan, what a repo holds and the Library are stale. Mounted once, by the app. */
export function useCacheFreshness() {
  const api = useApi();
  const client = useQueryClient();
  useEffect(
    () =>
      api.on('downloads.changed', (job) => {
        if (job.state !== 'done') return;
        void client.invalidateQueries({ queryKey: ['cache.scan'] });
        void client.invalidateQueries({ queryKey: ['cache.presence'] });
        void client.invalidateQueries({ queryKey: ['library.list'] });
        // The first download creates the cache folder, which Settings says does not exist yet.
        void client.invalidateQueries({ queryKey: ['settings.get'] });
      }),
    [api, client],
  );
}

export function useCacheFiles(repo: string, commit: string) {
  return useApiQuery('cache.files', { repo, commit });
}

/** A hard-linked file's blob gets its own bytes; the list and the totals are read again. */
export function useUnshare(repo: string, commit: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (path: string) => api.call('cache.unshare', { repo, commit, path }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['cache.files'] });
      void client.invalidateQueries({ queryKey: ['cache.scan'] });
    },
  });
}

export function useDeletePlan() {
  const api = useApi();
  return useMutation({ mutationFn: (targets: DeleteTargetInput[]) => api.call('cache.planDelete', { targets }) });
}

export function useDeleteFromCache() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (targets: DeleteTargetInput[]) => api.call('cache.delete', { targets }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['cache.scan'] });
      void client.invalidateQueries({ queryKey: ['cache.presence'] });
    },
  });
}

export function useVerifyRepo(repo: string) {
  const api = useApi();
  return useMutation({ mutationFn: () => api.call('cache.verify', { repo }) });
}

/** Re-downloads a repo's corrupt files: the answer is download jobs, which join the list at once. */
export function useRepairRepo(repo: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.call('cache.repair', { repo }),
    onSuccess: (jobs) => jobs.forEach((job) => putJob(client, job)),
  });
}

/** What the cache holds of one repo, by blob (a model page marks its files); fresh after each finished download. */
export function useCachePresence(repo: string) {
  return useApiQuery('cache.presence', { repo }, { staleTime: 2000, refetchOnMount: true });
}

/** Moves the whole cache to a new folder (resumable) and points Settings at it. */
export function useMoveCache() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (to: string) => api.call('cache.move', { to }),
    onSuccess: () => {
      for (const key of ['settings.get', 'cache.scan', 'cache.presence', 'library.list']) void client.invalidateQueries({ queryKey: [key] });
    },
  });
}
