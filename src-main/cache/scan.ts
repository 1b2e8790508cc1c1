/**
 * Reading the hub cache into immutable records: repos → revisions (commit, refs) → files, with
 * sizes counted as huggingface_hub's scan_cache_dir counts them (docs/hub-protocol.md §1.9): a blob
 * shared by revisions counts once per repo. Oddities become warnings instead of failures, and,
 * unlike Python, a repo with a problem stays listed (with its warning) so the user can fix it.
 * Reads caches written without symlinks (Windows, copies) too. Never follows a link out of the cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseRepoSpec } from '../contract/keys';
import { CACHE_NAMES, parseRepoFolderName } from './layout';
import { STORE_DIR, STORE_MARKER, storeState } from './shared-store';
import { emptyStore, settleStore, type StoreSummary, type StoreTally } from './store-accounting';
import { scanRepo } from './scan-repo';
import type { RepoType } from '../hub/repo-id';

export interface CachedFile {
  /** Path inside the repo, `/`-separated. */
  path: string;
  /** The blob (resolved link target, or the file itself when stored as a copy). */
  blobPath: string;
  size: number;
  lastAccessed: number;
  lastModified: number;
  /** false when the snapshot holds a copy (no-symlink caches). */
  linked: boolean;
  /** The shared-store payload its repo blob links to (huggingface_hub 2.x, §1.13). */
  storePath?: string;
  /** Names its blob has when more than one (a hard link to another app's file: deleting frees nothing). */
  hardLinks?: number;
}

export interface CachedRevision {
  commit: string;
  refs: string[];
  snapshotPath: string;
  files: CachedFile[];
  /** Sum of the distinct blobs it uses. */
  sizeOnDisk: number;
  nbFiles: number;
  lastModified: number;
}

export interface CachedRepo {
  type: RepoType;
  id: string;
  folder: string;
  path: string;
  revisions: CachedRevision[];
  /** Bytes it holds alone: its distinct blobs, less store payloads other repos link to too. */
  sizeOnDisk: number;
  /** Bytes of store payloads it uses that other repos use too (counted once, in the cache's total). */
  sharedBytes: number;
  /** The repos (keys) it shares payloads with. */
  sharedWith: string[];
  nbFiles: number;
  lastAccessed: number;
  lastModified: number;
  refs: Record<string, string>;
}

export type CacheWarningKind =
  | 'not-a-directory'
  | 'bad-name'
  | 'no-snapshots'
  | 'refs-is-file'
  | 'file-in-snapshots'
  | 'bad-snapshot-name'
  | 'dangling-link'
  | 'link-outside-cache'
  | 'ref-to-missing-commit'
  | 'bad-ref'
  | 'unknown-entry'
  | 'store-unknown-layout'
  | 'store-unmarked'
  | 'unreadable';

export interface CacheWarning {
  kind: CacheWarningKind;
  path: string;
  message: string;
  repo?: string;
}

export interface LooseFile {
  path: string;
  repo: string;
  repoFolder: string;
  etag: string;
  size: number;
  lastModified: number;
  /** An orphan repo blob that links into the shared store: its payload. */
  storePath?: string;
}

export interface CacheScan {
  root: string;
  exists: boolean;
  repos: CachedRepo[];
  sizeOnDisk: number;
  warnings: CacheWarning[];
  /** blobs/*.incomplete files (downloads in flight or abandoned). */
  incomplete: LooseFile[];
  /** Blobs no snapshot uses. */
  orphans: LooseFile[];
  /** huggingface_hub 2.x's shared blob store (§1.13). */
  store: StoreSummary;
  scannedAt: string;
}

const SKIP_TOP = new Set([CACHE_NAMES.locks, 'CACHEDIR.TAG', '.DS_Store', 'Thumbs.db', 'desktop.ini']);

export function scanCache(root: string): CacheScan {
  const scan: CacheScan = {
    root,
    exists: false,
    repos: [],
    sizeOnDisk: 0,
    warnings: [],
    incomplete: [],
    orphans: [],
    store: emptyStore(root),
    scannedAt: new Date().toISOString(),
  };
  let entries: fs.Dirent[];
  try {
    if (!fs.statSync(root).isDirectory()) {
      scan.warnings.push({ kind: 'not-a-directory', path: root, message: `The cache path ${root} is a file, not a folder.` });
      return scan;
    }
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return scan;
  }
  scan.exists = true;
  const realRoot = fs.realpathSync(root);
  const tally: StoreTally = { state: storeState(root), payloads: new Map(), users: new Map() };
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (SKIP_TOP.has(entry.name) || entry.name.startsWith('.hubcap-')) continue;
    const full = path.join(root, entry.name);
    if (entry.name === STORE_DIR && tally.state !== 'none') {
      if (tally.state === 'unknown')
        scan.warnings.push({
          kind: 'store-unknown-layout',
          path: full,
          message: `blobs/ is a shared blob store of a layout this Hubcap does not know (${STORE_MARKER} is not "1"): it is left alone, and repos linking into it are not counted.`,
        });
      else if (tally.state === 'unmarked')
        scan.warnings.push({
          kind: 'store-unmarked',
          path: full,
          message: `blobs/ has no ${STORE_MARKER} marker: it is neither a repo nor a shared blob store, and neither Hubcap nor huggingface_hub uses it.`,
        });
      continue;
    }
    const ref = parseRepoFolderName(entry.name);
    if (!entry.isDirectory()) {
      scan.warnings.push({ kind: ref ? 'not-a-directory' : 'unknown-entry', path: full, message: `${entry.name} is not a repo folder.` });
      continue;
    }
    if (!ref) {
      scan.warnings.push({ kind: 'bad-name', path: full, message: `${entry.name} is not a cache repo folder (expected models--org--name).` });
      continue;
    }
    const repo = scanRepo(full, entry.name, ref.type, ref.id, realRoot, scan, tally);
    if (repo) scan.repos.push(repo);
  }
  settleStore(scan, tally);
  return scan;
}

/**
 * The cached repo a person means: `org/name`, `dataset/org/name`, `datasets/org/name` (as the `hf`
 * CLI takes them) or a key `model:org/name`. The one way to find a cached repo.
 */
export function findCachedRepo(scan: CacheScan, spec: string): CachedRepo | null {
  const ref = parseRepoSpec(spec);
  return ref ? (scan.repos.find((r) => r.type === ref.type && r.id === ref.id) ?? null) : null;
}
