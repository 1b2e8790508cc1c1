/** Settings: the stored values, the cache folder and offline mode every other capability reads. */
import { defineSlice } from '../base/slice';
import type { EventBus } from '../base/events';
import type { SharedStoreView } from '../contract/settings';
import type { Env, HfEnv } from '../hub/hf-env';
import { protectDataDir } from './data-dir';
import { settingsHandlers } from './handlers';
import { SettingsService } from './service';
import type { SettingsBackendFactory } from './store';

export interface SettingsNeeds {
  options: { dataDir: string; homeDir: string; settingsBackend: SettingsBackendFactory; env: Env };
  hf: HfEnv;
  events: EventBus;
  /** Going on- or offline probes the Hub again. */
  hub: { check(): Promise<unknown> };
  /** The cache reads its own shared blob store (it sits above settings). */
  cache: { sharedStoreView(cacheDir: string, env: Env): Omit<SharedStoreView, 'create'> };
}

export const settingsSlice = defineSlice({
  name: 'settings',
  needs: ['options', 'hf', 'events', 'hub', 'cache'],
  create(needs: SettingsNeeds) {
    const { options, events } = needs;
    protectDataDir(options.dataDir);
    return new SettingsService({
      dataDir: options.dataDir,
      homeDir: options.homeDir,
      backend: options.settingsBackend,
      hf: needs.hf,
      onChange: (view) => events.emit('settings.changed', view),
      onOfflineChange: () => void needs.hub.check(),
      sharedStore: (dir) => needs.cache.sharedStoreView(dir, options.env),
    });
  },
  handlers: (settings) => settingsHandlers(settings),
});
