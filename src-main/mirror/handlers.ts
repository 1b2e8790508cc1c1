/** The mirror's slice of the contract: its state and figures, the endpoint in full, a new key. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { MirrorService } from './service';

export function mirrorHandlers(mirror: MirrorService): HandlerSlice<RequestsOf<'mirror'>> {
  return {
    'mirror.get': async () => mirror.view(),
    'mirror.endpoint': async () => mirror.endpoint(),
    'mirror.regenerateKey': async () => mirror.regenerate(),
  };
}
