/**
 * Publishing in the renderer: what the token may do (asked again whenever the account changes, by
 * api/session-sync.ts),
 * a namespace's repos, the plan, and the jobs kept live by `publish.changed`.
 */
import { useEffect } from 'react';
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { RequestInput } from '../../src-main/contract/api';
import type { PublishJob } from '../../src-main/contract/publish';
import { useApi, useApiQuery } from './context';

const jobsKey = ['publish.list', {}] as const;

function putJob(client: QueryClient, job: PublishJob): void {
  client.setQueryData<PublishJob[]>(jobsKey, (old = []) => {
    const i = old.findIndex((j) => j.id === job.id);
    if (i === -1) return [job, ...old];
    const next = old.slice();
    next[i] = job;
    return next;
  });
}

/** Asked again whenever the account changes, from any page (api/session-sync.ts). */
export function usePublishAccess() {
  return useApiQuery('publish.access', {}, { staleTime: 60_000, retry: false });
}

export function usePublishRepos(namespace: string | null, repoType: 'model' | 'dataset') {
  return useApiQuery('publish.repos', { namespace: namespace ?? '', repoType }, { enabled: Boolean(namespace), staleTime: 30_000, retry: false });
}

export function usePublishPlan() {
  const api = useApi();
  return useMutation({ mutationFn: (input: RequestInput<'publish.plan'>) => api.call('publish.plan', input) });
}

export function usePublishJobs() {
  const api = useApi();
  const client = useQueryClient();
  const query = useApiQuery('publish.list', {});
  useEffect(() => api.on('publish.changed', (job) => putJob(client, job)), [api, client]);
  return query;
}

export function useStartPublish() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({ mutationFn: (input: RequestInput<'publish.start'>) => api.call('publish.start', input), onSuccess: (job) => putJob(client, job) });
}

export function usePublishActions(id: string) {
  const api = useApi();
  const client = useQueryClient();
  return {
    cancel: useMutation({ mutationFn: () => api.call('publish.cancel', { id }), onSuccess: (job) => putJob(client, job) }),
    verify: useMutation({ mutationFn: () => api.call('publish.verify', { id }), onSuccess: (job) => putJob(client, job) }),
  };
}
