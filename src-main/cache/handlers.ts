/**
 * The cache slice of the contract: the overview, files of a revision, delete plans (always
 * recomputed from a fresh scan, never from paths the renderer sends), verify and repair.
 */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { DownloadJob, DownloadRequest } from '../contract/downloads';
import { parseRepoKey } from '../contract/keys';
import type { HubHttp } from '../hub/http';
import { blobIdOf, listTree } from '../hub/tree';
import type { CacheIndex } from './index';
import { ApiError } from '../contract/errors';
import { hubCacheShellLine, moveCache, type MoveProgress } from './move';
import { presence } from './presence';
import { scanCache } from './scan';
import * as cache from './service';
import { unshareBlob } from './unshare';
import type { ExpectedHashes } from './verify';
import type { OutsideUse } from './delete-plan';
import type { LoadedFile } from './loaded-models';

export interface CacheHandlerDeps {
  index: CacheIndex;
  /** Snapshot folders our downloads are filling now: kept out of every cleanup. */
  activeSnapshots: () => string[];
  /** Asked for the blob names of copies no record describes, unless offline. */
  hub: HubHttp;
  /** Starts a download (a repair fetches the corrupt files again). */
  download: (request: DownloadRequest) => DownloadJob;
  /** Where the cache is now, whether a download is running, and how to point Settings elsewhere (a move). */
  cacheDir: () => string;
  downloadsRunning: () => boolean;
  useCacheDir: (dir: string) => void;
  onMoveProgress?: (p: MoveProgress) => void;
  /** The user's shell (SHELL), for the line that points Python at a moved cache. */
  shell: string;
  /** Where revisions are also used (exports to other apps' folders, remembered above the cache): delete previews count them. */
  outsideUses?: () => OutsideUse[];
  /**
   * Files loaded models run from now (Chat and the Local API share one engine): a delete preview
   * names them and the delete is refused until they are unloaded; a prune keeps their revisions.
   */
  loadedModels?: () => LoadedFile[];
  /** After a move: the links other apps were given into the old place are re-pointed (export records). */
  onCacheMoved?: (from: string, to: string) => Promise<{ repointed: number; failed: string[] }>;
}

export function cacheHandlers(deps: CacheHandlerDeps): HandlerSlice<RequestsOf<'cache'>> {
  const { index } = deps;
  const inUse = async (scan: ReturnType<typeof scanCache>): Promise<cache.InUse> => ({
    partials: await cache.activePartials(scan),
    snapshots: deps.activeSnapshots(),
    loaded: deps.loadedModels?.() ?? [],
  });
  const expected = (key: string): ExpectedHashes | undefined => {
    const repo = parseRepoKey(key);
    if (!repo || deps.hub.isOffline()) return undefined;
    return async (commit) => new Map((await listTree(deps.hub, repo, commit)).map((f) => [f.path, blobIdOf(f)]));
  };
  return {
    'cache.move': async ({ to }) => {
      if (deps.downloadsRunning()) throw new ApiError('BUSY', 'Downloads are running: pause or let them finish, then move the cache.');
      const result = await moveCache(deps.cacheDir(), to, { onProgress: deps.onMoveProgress });
      deps.useCacheDir(result.to);
      index.invalidate();
      const links = (await deps.onCacheMoved?.(result.from, result.to)) ?? { repointed: 0, failed: [] };
      const shellLine = hubCacheShellLine(result.to, deps.shell, process.platform);
      return {
        ...result,
        shellLine,
        pythonNote:
          `Python tools (huggingface_hub, the hf command, transformers) look where HF_HUB_CACHE (or HF_HOME) says: set HF_HUB_CACHE=${result.to} for them. ` +
          (result.leftLink ? `Until then the old folder ${result.from} leads to the new one, so they keep working. ` : '') +
          `For your shell: ${shellLine}` +
          (links.repointed
            ? ` ${links.repointed} link${links.repointed === 1 ? '' : 's'} other apps use now lead${links.repointed === 1 ? 's' : ''} to the new place.`
            : '') +
          (links.failed.length ? ` These links still lead to the old place; export again: ${links.failed.slice(0, 5).join(', ')}.` : ''),
      };
    },
    'cache.scan': async ({ fresh }) => {
      const scan = index.scan(fresh === true);
      return cache.overview(scan, await cache.activePartials(scan));
    },
    'cache.files': async ({ repo, commit }) => cache.revisionFiles(index.scan(), repo, commit),
    'cache.planDelete': async ({ targets }) => {
      const scan = scanCache(index.root);
      return cache.planDelete(scan, targets, await inUse(scan), deps.outsideUses?.());
    },
    'cache.delete': async ({ targets }) => {
      const scan = scanCache(index.root);
      const result = await cache.deleteFromCache(scan, targets, await inUse(scan), deps.outsideUses?.());
      index.invalidate();
      return result;
    },
    'cache.verify': ({ repo }) => cache.verify(index.root, repo, expected(repo)),
    'cache.unshare': async ({ repo, commit, path }) => {
      // The blob is found from a fresh scan, never from a path the client sends.
      const cached = cache.findRepo(scanCache(index.root), repo);
      const file = cached.revisions.find((r) => r.commit === commit)?.files.find((f) => f.path === path);
      if (!file?.linked || !file.hardLinks) throw new ApiError('NOT_FOUND', `${path} is not a hard-linked file of that revision.`);
      const result = await unshareBlob(index.root, cached.folder, file.blobPath);
      index.invalidate();
      return result;
    },
    'cache.presence': async ({ repo }) => presence(index.scan(), repo),
    'cache.repair': async ({ repo }) => {
      const { repo: cached, refetch } = await cache.repairPlan(index.root, repo, expected(repo));
      // Downloaded again and verified first; the corrupt bytes are replaced only then.
      return refetch.map(({ commit, files }) => deps.download({ repoType: cached.type, repo: cached.id, revision: commit, files, force: true }));
    },
  };
}
