/** The Hub slice of the contract: is it there, and what the Gallery reads from it. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { HubStatus } from '../contract/hub';
import type { RepoRef } from '../contract/keys';
import type { ModelDetails } from '../contract/model';
import { HubError } from './errors';
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
    'gallery.model': async ({ repo, revision }) => {
      const offline = deps.offlineDetails;
      if (deps.http.isOffline() && offline) return offline(parseRepoId(repo), revision);
      try {
        return await modelDetails(deps.http, repo, revision, deps.onListing);
      } catch (error) {
        // The Hub down is just offline: a model this machine holds is shown from the cache.
        if (!offline || !hubDown(error)) throw error;
        let cached: ModelDetails;
        try {
          cached = offline(parseRepoId(repo), revision);
        } catch {
          throw error;
        }
        return { ...cached, hubProblem: { code: error.code, message: error.message } };
      }
    },
  };
}

/** The Hub did not answer, or answered with its own failure: nothing about this repo was said. */
function hubDown(error: unknown): error is HubError {
  return error instanceof HubError && (error.code === 'NETWORK' || error.code === 'SERVER_ERROR');
}
