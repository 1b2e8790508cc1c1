/** The apps slice of the contract: other apps' models, found, added in place, confirmed and adopted. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { AppsService } from './service';

export function appsHandlers(apps: AppsService): HandlerSlice<RequestsOf<'apps'>> {
  return {
    'apps.scan': ({ folders, hash }) => apps.scan({ folders, hash }),
    'apps.cancelScan': async () => ({ cancelled: apps.cancelScan() }),
    'apps.addToLibrary': ({ paths }) => apps.addToLibrary(paths),
    'apps.identify': (req) => apps.identify(req),
    'apps.adopt': (req) => apps.adopt(req),
    'apps.adoptRepo': (req) => apps.adoptAll(req),
    'apps.reclaimPlan': async () => apps.reclaimPlan(),
    'apps.reclaim': ({ allowLink }) => apps.reclaim({ allowLink }),
  };
}
