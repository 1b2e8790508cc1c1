/** Local inference: GGUF models in an isolated host process, and whether a model fits this machine. */
import { defineSlice } from '../base/slice';
import type { EventBus } from '../base/events';
import { ApiError } from '../contract/errors';
import type { Hub } from '../hub/slice';
import type { Library } from '../library/library';
import type { SettingsService } from '../settings/service';
import { inferenceHandlers } from './handlers';
import type { HostLauncher } from './host-client';
import { HubFit } from './hub-fit';
import { InferenceService } from './service';

export interface InferenceNeeds {
  /** Without a launcher (serve's tests, a build without the host) local inference says it is not available. */
  options: { inferenceLauncher?: HostLauncher | undefined; inferenceHostIdleMs?: number | undefined };
  events: EventBus;
  settings: Pick<SettingsService, 'get'>;
  library: Pick<Library, 'runnable' | 'markUsed'>;
  hub: Pick<Hub, 'http'>;
}

export const inferenceSlice = defineSlice({
  name: 'inference',
  needs: ['options', 'events', 'settings', 'library', 'hub'],
  create(needs: InferenceNeeds) {
    const { options, events, settings, library } = needs;
    return new InferenceService({
      launcher:
        options.inferenceLauncher ??
        (() => {
          throw new ApiError('NOT_AVAILABLE', 'Local inference is not available in this build.');
        }),
      emit: (name, payload) => events.emit(name, payload),
      resolve: (key) => library.runnable(key),
      onUsed: (model) => library.markUsed(model),
      loadDefaults: () => settings.get().loadDefaults,
      unloadAfterMs: () => settings.get().unloadAfterMinutes * 60_000,
      ...(options.inferenceHostIdleMs !== undefined ? { hostIdleMs: options.inferenceHostIdleMs } : {}),
    });
  },
  handlers: (inference, { hub }) => inferenceHandlers(inference, new HubFit(hub.http, inference)),
  close: (inference) => inference.close(),
});
