/** The local OpenAI-compatible API in the renderer: its state (live by `localApi.changed`), the key on demand, a new key. */
import { useEffect } from 'react';
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

/** The ids clients put in `model` (as /v1/models lists them), fresh when the Library or the loaded model changes. */
export function useLocalApiModels() {
  const api = useApi();
  const client = useQueryClient();
  useEffect(() => api.on('inference.changed', () => void client.invalidateQueries({ queryKey: ['localApi.models'] })), [api, client]);
  return useApiQuery('localApi.models', {}, { staleTime: 2000, refetchOnMount: true });
}
