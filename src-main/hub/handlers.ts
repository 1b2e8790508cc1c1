/** The Hub slice of the contract: is it there, and what the Gallery reads from it. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { HubStatus } from '../contract/hub';
import type { RepoRef } from '../contract/keys';
import type { ModelDetails } from '../contract/model';
import type { HubHttp } from './http';
import { modelDetails } from './model-details';
import { parseRepoId } from './repo-id';
import { searchModels } from './search';
import type { TreeFile } from './tree';

export interface HubHandlerDeps {
  http: HubHttp;
  /** Reachability plus who is signed in. */
  status: () => HubStatus;
  /** Probes the Hub again. */
  check: () => Promise<unknown>;
  /** A revision was listed for its page (the cache keeps trees/<commit>.json of repos it holds). */
  onListing?: (repo: RepoRef, commit: string, files: TreeFile[]) => void;
  /** Offline, a model page comes from what the cache holds. */
  offlineDetails?: (repo: RepoRef, revision: string) => ModelDetails;
}

export function hubHandlers(deps: HubHandlerDeps): HandlerSlice<RequestsOf<'hub'> | 'gallery.search' | 'gallery.model'> {
  return {
    'hub.status': async () => deps.status(),
    'hub.checkNow': async () => {
      await deps.check();
      return deps.status();
    },
    'gallery.search': (input) => searchModels(deps.http, input),
    'gallery.model': async ({ repo, revision }) =>
      deps.http.isOffline() && deps.offlineDetails ? deps.offlineDetails(parseRepoId(repo), revision) : modelDetails(deps.http, repo, revision, deps.onListing),
  };
}
