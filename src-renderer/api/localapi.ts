/** The local OpenAI-compatible API in the renderer: its state (live by `localApi.changed`), the key on demand, a new key. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { LocalApiView } from '../../src-main/contract/localapi';
import { useApi, useApiQuery, useEventIntoQuery } from './context';

export function useLocalApi() {
  useEventIntoQuery('localApi.changed', 'localApi.get');
  return useApiQuery('localApi.get', {});
}

/** The whole key, only when asked (to show or copy it). */
export function useRevealApiKey() {
  const api = useApi();
  return useMutation({ mutationFn: () => api.call('localApi.key', {}) });
}

export function useRegenerateApiKey() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.call('localApi.regenerateKey', {}),
    onSuccess: (view: LocalApiView) => client.setQueryData(['localApi.get', {}], view),
  });
}
