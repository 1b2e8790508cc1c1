/** The downloads slice of the contract. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { DownloadManager } from './manager';

export function downloadHandlers(manager: DownloadManager): HandlerSlice<RequestsOf<'downloads'>> {
  return {
    'downloads.list': async () => manager.list(),
    'downloads.start': async ({ repoType, repo, revision, commit, files, patterns, force, connections }) =>
      manager.add({
        repoType,
        repo,
        revision,
        ...(commit ? { commit } : {}),
        ...(files?.length ? { files } : {}),
        ...(patterns?.length ? { patterns } : {}),
        ...(force ? { force: true } : {}),
        ...(connections ? { connections } : {}),
      }),
    'downloads.pause': async ({ id }) => manager.pause(id),
    'downloads.resume': async ({ id }) => manager.resume(id),
    'downloads.retry': async ({ id }) => manager.retry(id),
    'downloads.cancel': ({ id, keepPartial }) => manager.cancel(id, keepPartial),
    'downloads.remove': async ({ id }) => {
      manager.remove(id);
      return { removed: true };
    },
  };
}
