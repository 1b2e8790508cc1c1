/** Exports: cached models placed into other apps' folders (clone, link or verified copy), remembered. */
import { defineSlice } from '../base/slice';
import type { AppsService } from '../apps/service';
import type { CacheIndex } from '../cache/index';
import { exportHandlers } from './handlers';
import { ExportService } from './service';

export interface ExportNeeds {
  options: { dataDir: string };
  cache: CacheIndex;
  apps: Pick<AppsService, 'locations'>;
}

export const exportSlice = defineSlice({
  name: 'exports',
  needs: ['options', 'cache', 'apps'],
  create: ({ options, cache, apps }: ExportNeeds) => new ExportService({ cache, dataDir: options.dataDir, locations: () => apps.locations() }),
  handlers: (exports) => exportHandlers(exports),
});
