/** The Library: every GGUF and safetensors model runnable here, from the cache and added by hand. */
import path from 'node:path';
import type { LibraryItem, ModelSummary } from '../contract/library';
import type { CacheScan, CachedRepo, CachedRevision } from '../cache/scan';
import { cacheItemKey, parseItemKey } from '../contract/keys';
import { FormatError } from './format-error';
import { inspectModelFile, type LocalRegistry } from './registry';
import { SPLIT_GGUF, splitModelName } from '../hub/split-gguf';

/** Header summaries of cached files, by blob (content never changes under a blob name); a header that does not read gives its reason instead. */
export class SummaryCache {
  #byBlob = new Map<string, { summary: ModelSummary | null; problem: string | null }>();
  /** `cacheDir`: the snapshot link (and a 2.x shared-store link) may lead anywhere inside it, never out. */
  async get(file: string, blob: string, cacheDir: string): Promise<{ summary: ModelSummary | null; problem: string | null }> {
    let known = this.#byBlob.get(blob);
    if (!known) {
      known = await inspectModelFile(file, { root: cacheDir, followLinks: true }).then(
        (i) => ({ summary: i.summary, problem: null }),
        (error: unknown) => ({
          summary: null,
          problem: error instanceof FormatError ? error.message : `Its header could not be read (${(error as Error).message}).`,
        }),
      );
      this.#byBlob.set(blob, known);
    }
    return known;
  }
}

type ScanFile = CachedRevision['files'][number];

/** The runnable models of one revision: each GGUF or safetensors file, a split GGUF's parts as one. */
function modelsOf(rev: CachedRevision): ScanFile[][] {
  const out: ScanFile[][] = [];
  const split = new Map<string, ScanFile[]>();
  for (const f of rev.files) {
    if (!/\.(gguf|safetensors)$/i.test(f.path) || /(^|\/)mmproj/i.test(f.path)) continue;
    const m = SPLIT_GGUF.exec(f.path);
    if (!m) {
      out.push([f]);
      continue;
    }
    const list = split.get(m[1] as string) ?? [];
    list.push(f);
    split.set(m[1] as string, list);
  }
  for (const parts of split.values()) out.push(parts.sort((a, b) => a.path.localeCompare(b.path)));
  return out;
}

/** When a cached model was last loaded here, as recorded (null: never, as far as Hubcap knows). */
export type UsedAt = (key: string) => string | null;

/**
 * A read this long after the blob was written is a use (Python or another tool loading it); reads
 * right after the download (its own hashing) are not.
 */
const USE_AFTER_WRITE_MS = 60_000;

function lastUsedOf(key: string, parts: ScanFile[], usedAt: UsedAt): string | null {
  const recorded = usedAt(key);
  const read = Math.max(...parts.map((p) => (p.lastAccessed > p.lastModified + USE_AFTER_WRITE_MS ? p.lastAccessed : 0)));
  const best = Math.max(recorded ? Date.parse(recorded) : 0, read);
  return best > 0 ? new Date(best).toISOString() : null;
}

export async function libraryItems(scan: CacheScan, registry: LocalRegistry, summaries: SummaryCache, usedAt: UsedAt): Promise<LibraryItem[]> {
  const items: LibraryItem[] = [...registry.list()];
  for (const repo of scan.repos) {
    for (const rev of repo.revisions) {
      for (const parts of modelsOf(rev)) items.push(await cacheItem(repo, rev, parts, summaries, usedAt));
    }
  }
  return items;
}

/** One cached model by its key, found in the scan directly (no Library rebuilt to find it). */
export async function cachedLibraryItem(scan: CacheScan, key: string, summaries: SummaryCache, usedAt: UsedAt): Promise<LibraryItem | null> {
  const k = parseItemKey(key);
  if (k?.source !== 'cache') return null;
  const repo = scan.repos.find((r) => r.type === k.repo.type && r.id === k.repo.id);
  const rev = repo?.revisions.find((r) => r.commit === k.commit);
  if (!repo || !rev) return null;
  const parts = modelsOf(rev).find((p) => p[0]?.path === k.path);
  return parts ? cacheItem(repo, rev, parts, summaries, usedAt) : null;
}

async function cacheItem(repo: CachedRepo, rev: CachedRevision, parts: ScanFile[], summaries: SummaryCache, usedAt: UsedAt): Promise<LibraryItem> {
  const first = parts[0] as ScanFile;
  const name = parts.length > 1 ? splitModelName(first.path) : first.path;
  const file = path.join(rev.snapshotPath, first.path);
  return {
    key: cacheItemKey(repo, rev.commit, first.path),
    source: 'cache',
    kind: /\.gguf$/i.test(first.path) ? 'gguf' : 'safetensors',
    name: path.basename(name),
    path: file,
    parts: parts.length,
    size: parts.reduce((a, p) => a + p.size, 0),
    ...(await summaries.get(file, first.blobPath, path.dirname(repo.path))),
    repo: repo.id,
    revision: rev.refs[0] ?? rev.commit.slice(0, 8),
    addedAt: null,
    lastUsed: lastUsedOf(cacheItemKey(repo, rev.commit, first.path), parts, usedAt),
    missing: false,
    inHubcapFolder: false,
    foundIn: null,
  };
}
