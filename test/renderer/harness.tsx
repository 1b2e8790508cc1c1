/**
 * The renderer's hooks against a stand-in core: a Transport whose requests are answered by the test
 * and whose events the test sends, wrapped in the same providers the app uses.
 */
import type { ReactNode } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiProvider } from '../../src-renderer/api/context';
import { createApi, type Api } from '../../src-renderer/api/client';
import type { Transport } from '../../src-renderer/api/transport';
import type { EventName, EventPayload } from '../../src-main/contract/api';
import { ApiError } from '../../src-main/contract/errors';

export type Answer = (input: unknown) => unknown;

export interface StandIn {
  api: Api;
  client: QueryClient;
  /** Every request made, in order. */
  calls: { name: string; input: unknown }[];
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  wrapper: (props: { children: ReactNode }) => ReactNode;
}

export function standIn(answers: Record<string, Answer>, opts: { pathForFile?: (f: File) => string } = {}): StandIn {
  const listeners = new Set<(name: string, payload: unknown) => void>();
  const calls: { name: string; input: unknown }[] = [];
  const transport: Transport = {
    kind: opts.pathForFile ? 'electron' : 'serve',
    ...(opts.pathForFile ? { pathForFile: opts.pathForFile } : {}),
    async invoke(name, input) {
      calls.push({ name, input });
      const answer = answers[name];
      if (!answer) return { ok: false, error: { code: 'INTERNAL', message: `no stand-in answer for ${name}` } };
      try {
        return { ok: true, value: await answer(input) };
      } catch (error) {
        const e = error instanceof ApiError ? error : new ApiError('INTERNAL', String(error));
        return { ok: false, error: { code: e.code, message: e.message } };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connection: () => 'open',
    onConnection: () => () => {},
    close: () => {},
  };
  const api = createApi(transport);
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false }, mutations: { retry: false } } });
  return {
    api,
    client,
    calls,
    emit: (name, payload) => listeners.forEach((l) => l(name, payload)),
    wrapper: ({ children }) => (
      <QueryClientProvider client={client}>
        <ApiProvider api={api}>{children}</ApiProvider>
      </QueryClientProvider>
    ),
  };
}
