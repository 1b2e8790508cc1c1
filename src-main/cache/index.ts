/**
 * The last scan of the cache, kept warm: a big cache takes a large part of a second to walk, and
 * the Cache page and the Library should answer at once. Reused for a few seconds (other tools may
 * change the cache), invalidated by our own downloads and deletes, redone when the user rescans.
 */
import type { RepoRef } from '../contract/keys';
import type { ModelDetails } from '../contract/model';
import type { SharedStoreView } from '../contract/settings';
import type { Env } from '../hub/hf-env';
import type { TreeFile } from '../hub/tree';
import { isDirectory } from '../settings/service';
import { repoDir, snapshotsDir } from './layout';
import { cachedModelDetails } from './presence';
import { scanCache, type CacheScan } from './scan';
import { storeState } from './shared-store';
import { storeDisabledBy } from './store-publish';
import { writeTreeRecord } from './tree-record';

export class CacheIndex {
  readonly #root: () => string;
  readonly #maxAgeMs: number;
  #last: { root: string; at: number; scan: CacheScan } | null = null;

  constructor(root: () => string, maxAgeMs = 10_000) {
    this.#root = root;
    this.#maxAgeMs = maxAgeMs;
  }

  get root(): string {
    return this.#root();
  }

  scan(fresh = false): CacheScan {
    const root = this.#root();
    const last = this.#last;
    if (!fresh && last && last.root === root && Date.now() - last.at < this.#maxAgeMs) return last.scan;
    const scan = scanCache(root);
    this.#last = { root, at: Date.now(), scan };
    return scan;
  }

  invalidate(): void {
    this.#last = null;
  }

  /** A revision was listed for its page: a repo this cache holds keeps trees/<commit>.json; browsing never creates a cache folder. */
  recordListing(repo: RepoRef, commit: string, files: TreeFile[]): void {
    const dir = repoDir(this.root, repo);
    if (isDirectory(snapshotsDir(dir))) writeTreeRecord(dir, commit, files);
  }

  /** A model's page from what the cache holds (offline, or the Hub down). */
  offlineDetails(repo: RepoRef, revision: string, hubUrl: string): ModelDetails {
    return cachedModelDetails(this.scan(), repo, revision, hubUrl);
  }

  /** The shared blob store of a cache folder, as Settings shows it. */
  sharedStoreView(cacheDir: string, env: Env): Omit<SharedStoreView, 'create'> {
    return { state: storeState(cacheDir), disabledBy: storeDisabledBy(env) };
  }

  /** Scans soon after start, so the first visit of the Cache page is instant. */
  warm(): void {
    setTimeout(() => {
      try {
        this.scan();
      } catch {
        // an unreadable cache is reported when the page asks
      }
    }, 50).unref();
  }
}
