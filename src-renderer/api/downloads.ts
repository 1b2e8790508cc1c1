/**
 * Downloads in the renderer: the job list, kept live by `downloads.changed`, and the actions on it.
 * Every answer and event goes through `upsertJob`/`dropJob`, so the list is patched one way only.
 */
import { useEffect } from 'react';
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { DownloadJob } from '../../src-main/contract/downloads';
import type { RequestInput } from '../../src-main/contract/api';
import { useApi, useApiQuery } from './context';

export const downloadsKey = ['downloads.list', {}] as const;

/** The list with `job` in it: replaced where it was, appended where it is new. */
export function upsertJob(list: readonly DownloadJob[], job: DownloadJob): DownloadJob[] {
  const i = list.findIndex((j) => j.id === job.id);
  if (i === -1) return [...list, job];
  const next = list.slice();
  next[i] = job;
  return next;
}

export function dropJob(list: readonly DownloadJob[], id: string): DownloadJob[] {
  return list.filter((j) => j.id !== id);
}

/** Puts jobs the core answered with into the list (a start, an action, a repair). */
export function putJob(client: QueryClient, job: DownloadJob): void {
  client.setQueryData<DownloadJob[]>(downloadsKey, (old = []) => upsertJob(old, job));
}

/** The download list, kept live by downloads.changed events (the core owns the truth). */
export function useDownloads() {
  const api = useApi();
  const client = useQueryClient();
  const query = useApiQuery('downloads.list', {});
  useEffect(() => api.on('downloads.changed', (job) => putJob(client, job)), [api, client]);
  return query;
}

export function useStartDownload() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: RequestInput<'downloads.start'>) => api.call('downloads.start', input),
    onSuccess: (job) => putJob(client, job),
  });
}

export type JobAction = { action: 'pause' | 'resume' | 'retry' | 'remove' } | { action: 'cancel'; keepPartial: boolean };

/** Pause, resume, retry, cancel or forget one job; its answer lands in the list at once. */
export function useDownloadActions(id: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (a: JobAction): Promise<void> => {
      if (a.action === 'remove') {
        await api.call('downloads.remove', { id });
        client.setQueryData<DownloadJob[]>(downloadsKey, (old = []) => dropJob(old, id));
        return;
      }
      const job =
        a.action === 'cancel' ? await api.call('downloads.cancel', { id, keepPartial: a.keepPartial }) : await api.call(`downloads.${a.action}`, { id });
      putJob(client, job);
    },
  });
}
