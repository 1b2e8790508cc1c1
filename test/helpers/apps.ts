/**
 * The apps capability built from what it declares it needs, with its real neighbours where the tests
 * look at them (the cache, the Library, a download engine on the fake Hub), and an inference service
 * without a host; no Core. The handlers are those of the capabilities the apps tests call.
 */
import { appsSlice } from '../../src-main/apps/slice';
import { cacheSlice } from '../../src-main/cache/slice';
import { downloadHandlers } from '../../src-main/downloads/handlers';
import { libraryHandlers } from '../../src-main/library/handlers';
import type { FakeHub } from '../fakehub/server';
import { built, handlerTable, inferenceAt, libraryAt, place, settingsAt } from './fakes';
import { hubHttp, manager } from './hub';

export function appsOn(fake: FakeHub, home: string, cacheDir: string) {
  const p = place({ HF_ENDPOINT: fake.url, HF_HUB_CACHE: cacheDir }, home);
  const settings = settingsAt(p);
  const { cache, library } = libraryAt(p, settings);
  const http = hubHttp(fake);
  const { m: downloads } = manager(http, { cacheDir: () => cache.root, onChange: (j) => j.state === 'done' && cache.invalidate() });
  const inference = inferenceAt(p, settings, library);
  const options = { dataDir: p.dataDir, homeDir: home, platform: 'linux' as const, env: p.env };
  const apps = built(appsSlice, { options, events: p.events, settings, cache, hub: { http }, library, downloads });
  const cacheHandlers = cacheSlice.handlers?.(cache, {
    options,
    hf: p.hf,
    settings,
    hub: { http },
    downloads,
    exports: { outsideUses: () => [], cacheMoved: async () => ({ repointed: 0, failed: [] }) },
    inference: inference.service,
  });
  return {
    apps: apps.service,
    cache,
    downloads,
    handlers: handlerTable(apps.handlers, libraryHandlers(library, {}), cacheHandlers ?? {}, downloadHandlers(downloads), inference.handlers),
    close: () => inference.service.close(),
  };
}
