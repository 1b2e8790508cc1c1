/** The Library: every GGUF and safetensors model runnable here, from the cache and added by hand. */
import path from 'node:path';
import type { LibraryItem, ModelSummary } from '../contract/library';
import type { CacheScan } from '../cache/scan';
import { repoLabel } from '../cache/delete-plan';
import { inspectModelFile, type LocalRegistry } from './registry';
import { SPLIT_GGUF, splitModelName } from './split-gguf';

/** Header summaries of cached files, by blob (content never changes under a blob name). */
export class SummaryCache {
  #byBlob = new Map<string, ModelSummary | null>();
  async get(file: string, blob: string): Promise<ModelSummary | null> {
    if (!this.#byBlob.has(blob))
      this.#byBlob.set(
        blob,
        await inspectModelFile(file).then(
          (i) => i.summary,
          () => null,
        ),
      );
    return this.#byBlob.get(blob) ?? null;
  }
}

export async function libraryItems(scan: CacheScan, registry: LocalRegistry, summaries: SummaryCache): Promise<LibraryItem[]> {
  const items: LibraryItem[] = [...registry.list()];
  for (const repo of scan.repos) {
    for (const rev of repo.revisions) {
      const split = new Map<string, typeof rev.files>();
      for (const f of rev.files) {
        if (!/\.(gguf|safetensors)$/i.test(f.path) || /(^|\/)mmproj/i.test(f.path)) continue;
        const m = SPLIT_GGUF.exec(f.path);
        if (m) {
          const list = split.get(m[1] as string) ?? [];
          list.push(f);
          split.set(m[1] as string, list);
          continue;
        }
        items.push(await cacheItem(repoLabel(repo), repo.id, rev.commit, rev.refs[0] ?? null, [f], path.join(rev.snapshotPath, f.path), summaries));
      }
      for (const [, parts] of split) {
        parts.sort((a, b) => a.path.localeCompare(b.path));
        const first = parts[0] as (typeof parts)[number];
        items.push(await cacheItem(repoLabel(repo), repo.id, rev.commit, rev.refs[0] ?? null, parts, path.join(rev.snapshotPath, first.path), summaries));
      }
    }
  }
  return items;
}

async function cacheItem(
  key: string,
  repo: string,
  commit: string,
  ref: string | null,
  parts: { path: string; size: number; blobPath: string; lastAccessed: number }[],
  file: string,
  summaries: SummaryCache,
): Promise<LibraryItem> {
  const first = parts[0] as (typeof parts)[number];
  const name = parts.length > 1 ? splitModelName(first.path) : first.path;
  return {
    key: `cache:${key}@${commit}:${first.path}`,
    source: 'cache',
    kind: /\.gguf$/i.test(first.path) ? 'gguf' : 'safetensors',
    name: path.basename(name),
    path: file,
    parts: parts.length,
    size: parts.reduce((a, p) => a + p.size, 0),
    summary: await summaries.get(file, first.blobPath),
    repo,
    revision: ref ?? commit.slice(0, 8),
    addedAt: null,
    lastUsed: new Date(Math.max(...parts.map((p) => p.lastAccessed))).toISOString(),
    missing: false,
  };
}
