/** What the desktop can do for the UI: the app's facts, open folders and links, clipboard, browse. */
import { defineSlice } from '../base/slice';
import type { CacheIndex } from '../cache/index';
import { findRepo } from '../cache/service';
import type { Library } from '../library/library';
import { desktopHandlers, type DesktopActions } from './handlers';

export interface DesktopNeeds {
  options: {
    transport: 'electron' | 'serve' | 'cli';
    platform: NodeJS.Platform;
    dataDir: string;
    runtime?: { electron: string | null; chrome: string | null } | undefined;
    /** Absent under serve and the CLI: the handlers then say what only the desktop app can do. */
    desktop?: DesktopActions | undefined;
  };
  cache: CacheIndex;
  library: Pick<Library, 'item'>;
}

export const desktopSlice = defineSlice({
  name: 'desktop',
  needs: ['options', 'cache', 'library'],
  create: ({ options }: DesktopNeeds) => options.desktop ?? null,
  handlers: (desktop, { options, cache, library }) =>
    desktopHandlers({
      transport: options.transport,
      platform: options.platform,
      runtime: options.runtime,
      desktop: desktop ?? undefined,
      folders: { hubCache: () => cache.root, dataDir: () => options.dataDir, cacheRepo: (key) => findRepo(cache.scan(true), key).path },
      itemFile: (key) => library.item(key),
    }),
});
