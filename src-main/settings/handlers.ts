/** The settings slice of the contract. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { SettingsService } from './service';

export function settingsHandlers(settings: SettingsService): HandlerSlice<RequestsOf<'settings'>> {
  return {
    'settings.get': async () => settings.view(),
    'settings.update': async (patch) => settings.update(patch),
  };
}
