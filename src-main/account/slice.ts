/** The account: tokens in the keychain (or a session fallback), who is signed in, and its changes. */
import { defineSlice } from '../base/slice';
import type { EventBus } from '../base/events';
import type { HubStatus } from '../contract/hub';
import type { HfEnv } from '../hub/hf-env';
import type { SettingsService } from '../settings/service';
import { AccountService } from './account';
import { accountHandlers } from './handlers';
import type { Keychain } from './keychain';

export interface AccountNeeds {
  options: { fetch?: typeof fetch | undefined };
  hf: HfEnv;
  events: EventBus;
  keychain: Keychain;
  settings: Pick<SettingsService, 'isOffline'>;
  /** The status bar's line says who is signed in. */
  hub: { status(): HubStatus };
}

export const accountSlice = defineSlice({
  name: 'account',
  needs: ['options', 'hf', 'events', 'keychain', 'settings', 'hub'],
  create(needs: AccountNeeds) {
    const { options, hf, events } = needs;
    return new AccountService({
      keychain: needs.keychain,
      hf,
      endpoint: hf.endpoint.url,
      offline: () => needs.settings.isOffline(),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      onChange: (view) => {
        events.emit('account.changed', view);
        events.emit('hub.status', needs.hub.status());
      },
    });
  },
  handlers: (account) => accountHandlers(account),
});
