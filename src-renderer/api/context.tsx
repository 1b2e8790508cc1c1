import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { useQuery, useQueryClient, type UseQueryOptions } from '@tanstack/react-query';
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput } from '../../src-main/contract/api';
import type { ApiError } from '../../src-main/contract/errors';
import type { Api } from './client';
import type { ConnectionState } from './transport';

const ApiContext = createContext<Api | null>(null);

export function ApiProvider({ api, children }: { api: Api; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

/** A contract request as a TanStack query, keyed by its name and input. */
export function useApiQuery<K extends RequestName>(
  name: K,
  input: RequestInput<K>,
  options?: Omit<UseQueryOptions<RequestOutput<K>, ApiError>, 'queryKey' | 'queryFn'>,
) {
  const api = useApi();
  return useQuery<RequestOutput<K>, ApiError>({ queryKey: [name, input], queryFn: () => api.call(name, input), ...options });
}

/** Core events push fresh state straight into the query cache: the core owns the truth. */
export function useEventIntoQuery<E extends EventName, K extends RequestName>(event: E, query: K) {
  const api = useApi();
  const client = useQueryClient();
  useEffect(() => api.on(event, (payload: EventPayload<E>) => client.setQueryData([query, {}], payload)), [api, client, event, query]);
}

export function useConnectionState(): ConnectionState {
  const api = useApi();
  return useSyncExternalStore(
    (cb) => api.transport.onConnection(cb),
    () => api.transport.connection(),
  );
}
