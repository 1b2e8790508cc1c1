/** The Library: every model runnable here, from the cache, other apps' folders and files added by hand. */
import { defineSlice } from '../base/slice';
import type { CacheIndex } from '../cache/index';
import { libraryHandlers } from './handlers';
import { Library } from './library';

export interface LibraryNeeds {
  /** The native "open files" dialog comes from the desktop app; absent under serve and the CLI. */
  options: { dataDir: string; desktop?: { pickModelFiles(): Promise<string[]> } | undefined };
  cache: CacheIndex;
}

export const librarySlice = defineSlice({
  name: 'library',
  needs: ['options', 'cache'],
  create: (needs: LibraryNeeds) => new Library({ dataDir: needs.options.dataDir, cache: needs.cache }),
  handlers(library, { options }) {
    const desktop = options.desktop;
    return libraryHandlers(library, desktop ? { pickFiles: () => desktop.pickModelFiles() } : {});
  },
});
