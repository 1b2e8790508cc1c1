/** The typed API the React code uses: every call and event of the contract, nothing else. */
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput } from '../../src-main/contract/api';
import { ApiError, isApiErrorShape } from '../../src-main/contract/errors';
import type { Transport } from './transport';

export interface Api {
  readonly transport: Transport;
  call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestOutput<K>>;
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
}

export function createApi(transport: Transport): Api {
  return {
    transport,
    async call(name, input) {
      const result = await transport.invoke(name, input);
      if (result.ok) return result.value as RequestOutput<typeof name>;
      const e = result.error;
      if (isApiErrorShape(e)) throw new ApiError(e.code, e.message, e.details);
      throw new ApiError('INTERNAL', 'Hubcap sent an unreadable error.');
    },
    on(name, listener) {
      return transport.subscribe((eventName, payload) => {
        if (eventName === name) listener(payload as EventPayload<typeof name>);
      });
    },
  };
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
