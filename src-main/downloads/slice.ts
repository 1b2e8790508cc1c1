/** Downloads: the engine (classic and Xet, verified, resumable) and downloads into a plain folder. */
import path from 'node:path';
import { defineSlice } from '../base/slice';
import type { EventBus } from '../base/events';
import type { CacheIndex } from '../cache/index';
import { storeDisabledByEnv } from '../cache/store-publish';
import type { Env, HfEnv } from '../hub/hf-env';
import type { Hub } from '../hub/slice';
import type { SettingsService } from '../settings/service';
import { downloadHandlers } from './handlers';
import { useHashThread } from './hasher';
import { engineFetchInto } from './local-dir-fetch';
import { localDirHandlers } from './local-dir-handlers';
import { DownloadManager } from './manager';
import { fileQueueStore, memoryQueueStore } from './queue-store';
import { keepChunkRecordsIn } from './xet-chunk-records';
import { useXetDecodeWorker } from '../xet/decode-pool';

export interface DownloadsNeeds {
  options: { dataDir: string; env: Env; ephemeralQueue?: boolean | undefined; xetDecodeWorker?: string | undefined };
  hf: HfEnv;
  events: EventBus;
  settings: Pick<SettingsService, 'get'>;
  hub: Pick<Hub, 'http'>;
  cache: Pick<CacheIndex, 'root' | 'invalidate'>;
}

export const downloadsSlice = defineSlice({
  name: 'downloads',
  needs: ['options', 'hf', 'events', 'settings', 'hub', 'cache'],
  create(needs: DownloadsNeeds) {
    const { options, hf, events, settings, hub, cache } = needs;
    keepChunkRecordsIn(path.join(options.dataDir, 'xet-chunks'));
    useHashThread(hf.hubcap.hashThread);
    useXetDecodeWorker(options.xetDecodeWorker);
    return new DownloadManager({
      hub: hub.http,
      cacheDir: () => cache.root,
      // The CLI's downloads are this run's, not the app's queue.
      store: options.ephemeralQueue ? memoryQueueStore() : fileQueueStore(options.dataDir),
      disableSymlinks: hf.disableSymlinks,
      disableXet: hf.disableXet,
      // The shared blob store is used where Python made it; a plain cache stays plain (#24.3).
      sharedStore: () => ({ disabled: storeDisabledByEnv(options.env), create: settings.get().createSharedStore }),
      stallTimeoutMs: hf.downloadTimeoutMs,
      maxConcurrentFiles: () => settings.get().downloadConcurrency,
      connections: () => settings.get().downloadConnections,
      onChange: (job) => {
        if (job.state === 'done') cache.invalidate();
        events.emit('downloads.changed', job);
      },
    });
  },
  handlers: (downloads, { events, hub, cache }) => ({
    ...downloadHandlers(downloads),
    ...localDirHandlers({
      hub: hub.http,
      cacheDir: () => cache.root,
      fetchInto: engineFetchInto(hub.http),
      onProgress: (p) => events.emit('localDir.progress', p),
    }),
  }),
  close: (downloads) => downloads.close(),
});
