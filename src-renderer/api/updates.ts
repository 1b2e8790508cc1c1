/** Model updates in the renderer (#26): the state (live by `updates.changed`), checks, details, update, pins, previous revisions, preferences. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RepoUpdates, UpdatesView } from '../../src-main/contract/updates';
import { useApi, useApiQuery, useEventIntoQuery } from './context';

export function useUpdates() {
  useEventIntoQuery('updates.changed', 'updates.status');
  return useApiQuery('updates.status', {});
}

/** Each answer that carries the whole view lands in the query cache; one repo's answer patches its entry. */
function useLand() {
  const client = useQueryClient();
  return {
    view: (view: UpdatesView) => client.setQueryData(['updates.status', {}], view),
    repo: (repo: RepoUpdates) =>
      client.setQueryData<UpdatesView>(['updates.status', {}], (old) =>
        old ? { ...old, repos: old.repos.map((r) => (r.repo === repo.repo ? repo : r)) } : old,
      ),
  };
}

export function useCheckUpdates() {
  const api = useApi();
  const land = useLand();
  return useMutation({ mutationFn: (repos?: string[]) => api.call('updates.check', repos ? { repos } : {}), onSuccess: land.view });
}

/** What changed: asked only when the user opens it (it reads listings and GGUF headers from the Hub). */
export function useUpdateDetails(repo: string, branch: string | undefined, enabled: boolean) {
  return useApiQuery('updates.details', branch ? { repo, branch } : { repo }, { enabled, staleTime: 60_000, retry: false });
}

export function useApplyUpdate() {
  const api = useApi();
  const land = useLand();
  return useMutation({
    mutationFn: (input: { repo: string; branch?: string; allowDiverged?: boolean }) => api.call('updates.apply', input),
    onSuccess: land.repo,
  });
}

export function usePinRepo() {
  const api = useApi();
  const land = useLand();
  return useMutation({ mutationFn: (input: { repo: string; pinned: boolean }) => api.call('updates.pin', input), onSuccess: land.repo });
}

export function usePlanRemovePrevious(repo: string, commit: string, enabled: boolean) {
  return useApiQuery('updates.planRemovePrevious', { repo, commit }, { enabled, retry: false });
}

export function useRemovePrevious() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { repo: string; commit: string }) => api.call('updates.removePrevious', input),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['cache.scan'] }),
  });
}

export function useUpdatePreferences() {
  const api = useApi();
  const land = useLand();
  return useMutation({ mutationFn: (p: { daily?: boolean; keepPrevious?: boolean }) => api.call('updates.setPreferences', p), onSuccess: land.view });
}
