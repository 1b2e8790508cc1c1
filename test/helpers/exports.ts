/**
 * The export capability built from what it declares it needs (the cache index and the apps' folders),
 * with the cache's handlers beside it where the tests look at both (delete previews count exports,
 * a cache move re-points them); no Core.
 */
import { appsSlice } from '../../src-main/apps/slice';
import { cacheSlice } from '../../src-main/cache/slice';
import { exportSlice } from '../../src-main/export/slice';
import { built, handlerTable, libraryAt, offlineHttp, place, settingsAt, unused } from './fakes';

export function exportsOn(home: string, cacheDir: string) {
  const p = place({ HF_HUB_CACHE: cacheDir, HF_HUB_OFFLINE: '1' }, home);
  const settings = settingsAt(p);
  const { cache, library } = libraryAt(p, settings);
  const http = offlineHttp(p);
  const options = { dataDir: p.dataDir, homeDir: home, platform: 'linux' as const, env: p.env };
  // Only the apps' folders are asked for (where each app looks); nothing is scanned or downloaded.
  const apps = appsSlice.create({ options, events: p.events, settings, cache, hub: { http }, library, downloads: { add: unused, get: unused } });
  const exports = built(exportSlice, { options, cache, apps });
  const cacheHandlers = cacheSlice.handlers?.(cache, {
    options,
    hf: p.hf,
    settings,
    hub: { http },
    downloads: { activeSnapshotDirs: () => [], add: unused, list: () => [] },
    exports: exports.service,
    inference: { status: () => ({ model: null }) },
  });
  return { exports: exports.service, cache, handlers: handlerTable(exports.handlers, cacheHandlers ?? {}), close: async () => undefined };
}
