/** The updates slice of the contract (#26): status, check, details, update, pin, previous revisions, preferences. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { UpdatesService } from './service';

export function updatesHandlers(updates: UpdatesService): HandlerSlice<RequestsOf<'updates'>> {
  return {
    'updates.status': async () => updates.view(),
    'updates.check': ({ repos }) => updates.check(repos),
    'updates.details': async ({ repo, branch }) => {
      // The selection is the service's own business; the contract shows the files' `selected` flags.
      const { selection: _selection, whole: _whole, ...details } = await updates.details(repo, branch);
      return details;
    },
    'updates.apply': ({ repo, branch, allowDiverged }) => updates.apply(repo, { branch, allowDiverged }),
    'updates.pin': async ({ repo, pinned }) => updates.pin(repo, pinned),
    'updates.planRemovePrevious': ({ repo, commit }) => updates.planRemovePrevious(repo, commit),
    'updates.removePrevious': ({ repo, commit }) => updates.removePrevious(repo, commit),
    'updates.setPreferences': async (p) => updates.setPreferences(p),
  };
}
