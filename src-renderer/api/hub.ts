/** Is the Hub there, and who is signed in: kept live by `hub.status`. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi, useApiQuery, useEventIntoQuery } from './context';

export function useHubStatus() {
  useEventIntoQuery('hub.status', 'hub.status');
  return useApiQuery('hub.status', {});
}

export function useCheckHub() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({ mutationFn: () => api.call('hub.checkNow', {}), onSuccess: (s) => client.setQueryData(['hub.status', {}], s) });
}
