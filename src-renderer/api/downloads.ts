import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { DownloadJob } from '../../src-main/contract/downloads';
import { useApi, useApiQuery } from './context';

/** The download list, kept live by downloads.changed events (the core owns the truth). */
export function useDownloads() {
  const api = useApi();
  const client = useQueryClient();
  const query = useApiQuery('downloads.list', {});
  useEffect(
    () =>
      api.on('downloads.changed', (job) =>
        client.setQueryData<DownloadJob[]>(['downloads.list', {}], (old = []) => {
          const i = old.findIndex((j) => j.id === job.id);
          if (i === -1) return [...old, job];
          const next = old.slice();
          next[i] = job;
          return next;
        }),
      ),
    [api, client],
  );
  return query;
}
