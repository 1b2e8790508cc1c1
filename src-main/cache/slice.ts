/** The cache: the standard huggingface_hub cache read, verified, repaired, moved and cleaned. */
import path from 'node:path';
import { defineSlice } from '../base/slice';
import { isTerminal, type DownloadJob, type DownloadRequest } from '../contract/downloads';
import { loadedModelFiles, type LoadedModelSource } from '../contract/inference';
import type { Env, HfEnv } from '../hub/hf-env';
import type { Hub } from '../hub/slice';
import type { SettingsService } from '../settings/service';
import type { OutsideUse } from './delete-plan';
import { cacheHandlers } from './handlers';
import { CacheIndex } from './index';
import { rememberHashesIn } from './payload-hash';

export interface CacheNeeds {
  options: { dataDir: string; env: Env; cacheDirOverride?: string | undefined };
  hf: HfEnv;
  settings: Pick<SettingsService, 'cacheDir' | 'update'>;
  hub: Pick<Hub, 'http'>;
  /** The download engine sits above the cache: repairs start downloads, cleanups leave its folders alone. */
  downloads: { activeSnapshotDirs(cacheDir: string): string[]; add(request: DownloadRequest): DownloadJob; list(): DownloadJob[] };
  /** Exports to other apps' folders, remembered above the cache: delete previews count them, moves re-point them. */
  exports: { outsideUses(): OutsideUse[]; cacheMoved(from: string, to: string): Promise<{ repointed: number; failed: string[] }> };
  /** The model Chat and the Local API run: its revision is not deleted under it. */
  inference: LoadedModelSource;
}

export const cacheSlice = defineSlice({
  name: 'cache',
  needs: ['options', 'hf', 'settings', 'hub', 'downloads', 'exports', 'inference'],
  create(needs: CacheNeeds) {
    const { options } = needs;
    // Blobs found right by hash are remembered across runs (by inode, size and times), so trusting present bytes costs one read (#24.4).
    rememberHashesIn(path.join(options.dataDir, 'blob-hashes.json'));
    // The CLI's --cache-dir is this run's cache folder, for every capability at once.
    return new CacheIndex(() => options.cacheDirOverride ?? needs.settings.cacheDir());
  },
  handlers: (index, { hf, settings, hub, downloads, exports, inference }) =>
    cacheHandlers({
      index,
      activeSnapshots: () => downloads.activeSnapshotDirs(index.root),
      hub: hub.http,
      download: (request) => downloads.add(request),
      cacheDir: () => index.root,
      downloadsRunning: () => downloads.list().some((j) => !isTerminal(j.state)),
      useCacheDir: (dir) => void settings.update({ hubCacheDir: dir }),
      shell: hf.shell,
      outsideUses: () => exports.outsideUses(),
      onCacheMoved: (from, to) => exports.cacheMoved(from, to),
      loadedModels: () => loadedModelFiles(inference),
    }),
  // Only where a Cache page can be opened: a one-shot command (a download) would pay the scan's ~15 ms of CPU mid-transfer for nothing.
  background: (index) => index.warm(),
});
