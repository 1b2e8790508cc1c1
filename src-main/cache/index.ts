/**
 * The last scan of the cache, kept warm: a big cache takes a large part of a second to walk, and
 * the Cache page and the Library should answer at once. Reused for a few seconds (other tools may
 * change the cache), invalidated by our own downloads and deletes, redone when the user rescans.
 */
import { scanCache, type CacheScan } from './scan';

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
