/** The Hub mirror in the renderer: its state and figures (live by `mirror.changed`), the endpoint in full on demand, a new key. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { MirrorView } from '../../src-main/contract/mirror';
import { useApi, useApiQuery, useEventIntoQuery } from './context';

export function useMirror() {
  useEventIntoQuery('mirror.changed', 'mirror.get');
  return useApiQuery('mirror.get', {});
}

/** The endpoint with the key in full, only when asked (to show or copy it). */
export function useRevealMirrorEndpoint() {
  const api = useApi();
  return useMutation({ mutationFn: () => api.call('mirror.endpoint', {}) });
}

export function useRegenerateMirrorKey() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.call('mirror.regenerateKey', {}),
    onSuccess: (view: MirrorView) => client.setQueryData(['mirror.get', {}], view),
  });
}
