/** The local API's slice of the contract: its state, the key, a new key. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { LocalApiService } from './service';

export function localApiHandlers(api: LocalApiService): HandlerSlice<RequestsOf<'localApi'>> {
  return {
    'localApi.get': async () => api.view(),
    'localApi.key': async () => api.key(),
    'localApi.regenerateKey': async () => api.regenerate(),
    'localApi.models': () => api.models(),
  };
}
