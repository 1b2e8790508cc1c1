/** The Local API: an OpenAI-compatible server over the loaded model, started as Settings say. */
import { defineSlice } from '../base/slice';
import type { EventBus } from '../base/events';
import type { Keychain } from '../account/keychain';
import type { Env } from '../hub/hf-env';
import type { InferenceService } from '../inference/service';
import type { Library } from '../library/library';
import type { SettingsService } from '../settings/service';
import { localApiHandlers } from './handlers';
import { LocalApiService } from './service';

export interface LocalApiNeeds {
  options: { env: Env };
  events: EventBus;
  keychain: Keychain;
  settings: Pick<SettingsService, 'get'>;
  inference: InferenceService;
  library: Pick<Library, 'items'>;
}

export const localApiSlice = defineSlice({
  name: 'localApi',
  needs: ['options', 'events', 'keychain', 'settings', 'inference', 'library'],
  create(needs: LocalApiNeeds) {
    const { options, events, settings, library } = needs;
    return new LocalApiService({
      inference: needs.inference,
      items: () => library.items(),
      keychain: needs.keychain,
      env: options.env,
      settings: () => settings.get().localApi,
      onChange: (view) => events.emit('localApi.changed', view),
    });
  },
  handlers: (localApi) => localApiHandlers(localApi),
  // Only long-lived processes open the port Settings ask for; `hubcap api` starts its own.
  background: (localApi, { events }) => localApi.follow(events),
  close: (localApi) => localApi.close(),
});
