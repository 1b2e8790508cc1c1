/**
 * The Library: every model runnable here, from the cache and added by hand, found by key without
 * rebuilding the whole list, and "last used" kept where each kind keeps it (the registry for local
 * checkpoints; for the cache a record of loads here, plus the blob's access time as huggingface_hub
 * reads it, counted only when it is not the download's own read).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readOwnFileSync, writePrivateFileAtomic } from '../base/atomic-write';
import { ApiError } from '../contract/errors';
import { SHA256_HEX } from '../contract/ids';
import { parseItemKey } from '../contract/keys';
import type { AddResult, LibraryItem } from '../contract/library';
import type { CacheIndex } from '../cache/index';
import { LocalRegistry, type AddOptions } from './registry';
import { cachedLibraryItem, libraryItems, SummaryCache } from './service';

/** A blob named by its content's sha256: only those can be matched by size and hash. */
const SHA256_BLOB_PATH_RE = new RegExp(`/${SHA256_HEX}$`);

/** What the inference host needs of a Library item to load it. */
export interface RunnableModel {
  key: string;
  name: string;
  kind: 'gguf' | 'safetensors';
  path: string;
  missing: boolean;
  /** Why it cannot run (its header is not a model's), in words. */
  problem: string | null;
}

export class Library {
  readonly registry: LocalRegistry;
  readonly #cache: CacheIndex;
  readonly #summaries = new SummaryCache();
  /** Cached models loaded here: key → when (a small record of ours in the data folder). */
  readonly #usedFile: string;
  #used = new Map<string, string>();

  constructor(opts: { dataDir: string; cache: CacheIndex }) {
    this.#cache = opts.cache;
    this.#usedFile = path.join(opts.dataDir, 'cache-usage.json');
    try {
      const parsed = JSON.parse(readOwnFileSync(this.#usedFile)) as { used?: Record<string, unknown> };
      for (const [k, v] of Object.entries(parsed.used ?? {})) if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) this.#used.set(k, v);
    } catch {
      // none yet, or unreadable: nothing recorded
    }
    this.registry = new LocalRegistry({
      dataDir: opts.dataDir,
      // A dropped file already in the cache is recognised: LFS blobs are named by their sha256.
      cacheBlobsOfSize: (size) =>
        this.#cache
          .scan()
          .repos.flatMap((r) =>
            r.revisions.flatMap((v) =>
              v.files
                .filter((f) => f.size === size && SHA256_BLOB_PATH_RE.test(f.blobPath))
                .map((f) => ({ sha256: f.blobPath.slice(-64), label: `${r.id}/${f.path}` })),
            ),
          ),
    });
  }

  items(): Promise<LibraryItem[]> {
    return libraryItems(this.#cache.scan(), this.registry, this.#summaries, this.#usedAt);
  }

  async item(key: string): Promise<LibraryItem> {
    const k = parseItemKey(key);
    const found =
      k?.source === 'local' ? this.registry.list().find((i) => i.key === key) : await cachedLibraryItem(this.#cache.scan(), key, this.#summaries, this.#usedAt);
    if (!found) throw new ApiError('NOT_FOUND', 'That model is no longer in your Library.');
    return found;
  }

  async runnable(key: string): Promise<RunnableModel> {
    const item = await this.item(key);
    return { key: item.key, name: item.name, kind: item.kind, path: item.path, missing: item.missing, problem: item.problem };
  }

  /** Records that a model was just loaded. */
  markUsed(model: RunnableModel): void {
    const k = parseItemKey(model.key);
    if (k?.source === 'local') {
      this.registry.markUsed(k.id);
      return;
    }
    this.#used.delete(model.key);
    this.#used.set(model.key, new Date().toISOString());
    // Bounded: the newest 5,000 keys (more models than any cache holds).
    if (this.#used.size > 5000) this.#used.delete(this.#used.keys().next().value as string);
    try {
      writePrivateFileAtomic(this.#usedFile, JSON.stringify({ version: 1, used: Object.fromEntries(this.#used) }));
      // And the access time, as huggingface_hub's scan reads "last accessed".
      fs.utimesSync(model.path, new Date(), fs.statSync(model.path).mtime);
      this.#cache.invalidate();
    } catch {
      // "last used" is a courtesy; a blob we cannot touch changes nothing else
    }
  }

  readonly #usedAt = (key: string): string | null => this.#used.get(key) ?? null;

  add(paths: string[], opts?: AddOptions): Promise<AddResult> {
    return this.registry.add(paths, opts);
  }

  relocate(key: string, mode: 'copy' | 'move'): Promise<LibraryItem> {
    return this.registry.relocate(localId(key), mode);
  }

  remove(key: string, deleteFiles: boolean): Promise<void> {
    return this.registry.remove(localId(key), deleteFiles);
  }
}

function localId(key: string): string {
  const k = parseItemKey(key);
  if (k?.source !== 'local') throw new ApiError('VALIDATION_FAILED', 'Only local checkpoints can be changed here.');
  return k.id;
}
