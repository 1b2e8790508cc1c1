/** The Hub mirror of this cache (Settings › Share models on this network), and every mirror this process starts. */
import { defineSlice } from '../base/slice';
import type { EventBus } from '../base/events';
import type { Keychain } from '../account/keychain';
import type { CacheIndex } from '../cache/index';
import type { DownloadManager } from '../downloads/manager';
import type { Env, HfEnv } from '../hub/hf-env';
import type { SettingsService } from '../settings/service';
import { mirrorHandlers } from './handlers';
import { MirrorService } from './service';

export interface MirrorNeeds {
  options: { dataDir: string; env: Env };
  hf: HfEnv;
  events: EventBus;
  keychain: Keychain;
  settings: Pick<SettingsService, 'get' | 'isOffline'>;
  cache: Pick<CacheIndex, 'scan'>;
  downloads: Pick<DownloadManager, 'add' | 'get'>;
}

export const mirrorSlice = defineSlice({
  name: 'mirror',
  needs: ['options', 'hf', 'events', 'keychain', 'settings', 'cache', 'downloads'],
  create(needs: MirrorNeeds) {
    const { options, events, settings, cache, downloads } = needs;
    return new MirrorService({
      scan: (fresh) => cache.scan(fresh),
      endpoint: needs.hf.endpoint.url,
      offline: () => settings.isOffline(),
      dataDir: options.dataDir,
      keychain: needs.keychain,
      env: options.env,
      downloads: { add: (request) => downloads.add(request), get: (id) => downloads.get(id) },
      settings: () => settings.get().mirror,
      onChange: (view) => events.emit('mirror.changed', view),
    });
  },
  handlers: (mirror) => mirrorHandlers(mirror),
  // Only long-lived processes open the port Settings ask for; `hubcap mirror` starts its own.
  background: (mirror, { events }) => mirror.follow(events),
  close: (mirror) => mirror.close(),
});
