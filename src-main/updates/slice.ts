/** Model updates: which cached branches moved on the Hub, what changed, updating by delta, pins. */
import { defineSlice } from '../base/slice';
import type { EventBus } from '../base/events';
import type { AppsService } from '../apps/service';
import type { CacheIndex } from '../cache/index';
import type { OutsideUse } from '../cache/delete-plan';
import { loadedModelFiles, type LoadedModelSource } from '../contract/inference';
import type { DownloadManager } from '../downloads/manager';
import type { HfEnv } from '../hub/hf-env';
import { HubHttp } from '../hub/http';
import type { Hub } from '../hub/slice';
import type { SettingsService } from '../settings/service';
import { updatesHandlers } from './handlers';
import { UpdatesService } from './service';

export interface UpdatesNeeds {
  options: { dataDir: string; fetch?: typeof fetch | undefined };
  hf: HfEnv;
  events: EventBus;
  settings: Pick<SettingsService, 'isOffline'>;
  hub: Pick<Hub, 'http'>;
  cache: Pick<CacheIndex, 'scan' | 'invalidate' | 'root'>;
  downloads: Pick<DownloadManager, 'add' | 'list' | 'activeSnapshotDirs'>;
  /** The model Chat and the Local API run: the cache's delete keeps its revision (cache/loaded-models.ts). */
  inference: LoadedModelSource;
  apps: Pick<AppsService, 'lastReport'>;
  /** Exports sit beside updates: an old revision another app uses is kept. */
  exports: { outsideUses(): OutsideUse[] };
}

export const updatesSlice = defineSlice({
  name: 'updates',
  needs: ['options', 'hf', 'events', 'settings', 'hub', 'cache', 'downloads', 'inference', 'apps', 'exports'],
  create(needs: UpdatesNeeds) {
    const { options, hf, events, settings, hub, cache, downloads } = needs;
    const offline = () => settings.isOffline();
    return new UpdatesService({
      dataDir: options.dataDir,
      offline,
      // Checks go without the token; only repos that answer nothing without it get it (hub/http.ts places it).
      anonymous: new HubHttp({
        endpoint: hf.endpoint.url,
        token: () => null,
        offline,
        timeoutMs: hf.downloadTimeoutMs,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
      signedIn: hub.http,
      scan: (fresh) => cache.scan(fresh),
      invalidateCache: () => cache.invalidate(),
      download: (request) => downloads.add(request),
      job: (id) => downloads.list().find((j) => j.id === id) ?? null,
      loadedModels: () => loadedModelFiles(needs.inference),
      activeSnapshots: () => downloads.activeSnapshotDirs(cache.root),
      outsideUses: () => needs.exports.outsideUses(),
      onChange: (view) => events.emit('updates.changed', view),
      found: () => needs.apps.lastReport()?.models ?? [],
    });
  },
  handlers: (updates) => updatesHandlers(updates),
  // An update's download finishing moves the ref; heard from the engine's events, in every process.
  ready: (updates, { events }) => void events.when('downloads.changed', (job) => updates.onDownload(job)),
  background: (updates) => updates.startBackground(),
  close: (updates) => updates.close(),
});
