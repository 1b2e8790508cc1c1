/** Other apps' models: their folders found and scanned, their files adopted into the cache or the Library. */
import { defineSlice } from '../base/slice';
import type { EventBus } from '../base/events';
import type { CacheIndex } from '../cache/index';
import type { DownloadManager } from '../downloads/manager';
import type { Env } from '../hub/hf-env';
import type { Hub } from '../hub/slice';
import type { Library } from '../library/library';
import type { SettingsService } from '../settings/service';
import { appsHandlers } from './handlers';
import { AppsService } from './service';

export interface AppsNeeds {
  options: { dataDir: string; homeDir: string; platform: NodeJS.Platform; env: Env };
  events: EventBus;
  settings: Pick<SettingsService, 'isOffline'>;
  cache: CacheIndex;
  hub: Pick<Hub, 'http'>;
  library: Library;
  downloads: Pick<DownloadManager, 'add' | 'get'>;
}

export const appsSlice = defineSlice({
  name: 'apps',
  needs: ['options', 'events', 'settings', 'cache', 'hub', 'library', 'downloads'],
  create(needs: AppsNeeds) {
    const { options, events, settings, cache, hub, library, downloads } = needs;
    return new AppsService({
      homeDir: options.homeDir,
      platform: options.platform,
      env: options.env,
      dataDir: options.dataDir,
      cacheDir: () => cache.root,
      cache,
      hub: hub.http,
      offline: () => settings.isOffline(),
      library,
      download: (request) => downloads.add(request),
      job: (id) => downloads.get(id),
      onProgress: (p) => events.emit('apps.progress', p),
    });
  },
  handlers: (apps) => appsHandlers(apps),
});
