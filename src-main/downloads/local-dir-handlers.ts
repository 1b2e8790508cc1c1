/** The local-dir slice of the contract: "Download to a folder…" and `hubcap download --local-dir`. */
import path from 'node:path';
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import { parseRepoKey } from '../contract/keys';
import { splitSelection } from '../contract/downloads';
import { ApiError } from '../contract/errors';
import type { HubHttp } from '../hub/http';
import type { LocalDirProgress } from '../contract/local-dir';
import { downloadToLocalDir, type FetchInto } from './local-dir';

export interface LocalDirHandlerDeps {
  hub: HubHttp;
  cacheDir: () => string;
  fetchInto: FetchInto;
  onProgress?: (p: LocalDirProgress) => void;
}

/** At most this often per folder download: progress is a display, not a log. */
const PROGRESS_EVERY_MS = 200;

export function localDirHandlers(deps: LocalDirHandlerDeps): HandlerSlice<RequestsOf<'localDir'>> {
  // The downloads running, by folder: a cancel names the folder, as the dialog and the CLI know it.
  const running = new Map<string, Set<AbortController>>();
  return {
    'localDir.cancel': async ({ dir }) => {
      const stops = running.get(path.resolve(dir)) ?? new Set();
      for (const c of stops) c.abort();
      return { cancelled: stops.size };
    },
    'localDir.download': async ({ repo, revision, files, dir, overwrite }) => {
      const ref = parseRepoKey(repo);
      if (!ref) throw new ApiError('VALIDATION_FAILED', `${repo} is not a repo.`);
      const key = path.resolve(dir);
      const stop = new AbortController();
      const stops = running.get(key) ?? new Set<AbortController>();
      running.set(key, stops.add(stop));
      let last = 0;
      let lastFile = '';
      const onProgress = (p: Omit<LocalDirProgress, 'dir'>) => {
        const now = Date.now();
        if (p.file === lastFile && now - last < PROGRESS_EVERY_MS && p.bytes < p.size) return;
        last = now;
        lastFile = p.file;
        deps.onProgress?.({ dir, ...p });
      };
      const { files: exact, patterns } = splitSelection(files ?? []);
      try {
        return await downloadToLocalDir(
          { hub: deps.hub, cacheDir: deps.cacheDir(), fetchInto: deps.fetchInto, onProgress, signal: stop.signal },
          {
            repo: ref,
            revision: revision ?? 'main',
            dir,
            ...(exact.length ? { files: exact } : {}),
            ...(patterns.length ? { patterns } : {}),
            ...(overwrite ? { overwrite } : {}),
          },
        );
      } finally {
        stops.delete(stop);
        if (!stops.size) running.delete(key);
      }
    },
  };
}
