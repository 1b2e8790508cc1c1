/**
 * Counting the shared blob store once (#24.1): a repo holds alone its own blobs and the payloads
 * no other repo links to; payloads two or more repos link to are "shared" (with those repos); the
 * cache's total is its repos' own blobs plus every payload in the store, each once — what
 * huggingface_hub 2.0's scan_cache_dir reports as the physical size.
 */
import { listPayloads, storeDir, type StoreState } from './shared-store';
import type { CacheScan } from './scan';

export interface StorePayloadView {
  path: string;
  xetHash: string;
  size: number;
  lastModified: number;
}

export interface StoreSummary {
  state: StoreState;
  path: string;
  /** Payloads in the store and their bytes (each once). */
  payloads: number;
  bytes: number;
  /** Of those, bytes two or more repos link to. */
  sharedBytes: number;
  /** Payloads no repo blob links to (what `hf cache prune` collects, when their manifest says so too). */
  unlinked: StorePayloadView[];
  /** Payload → repo keys whose blobs link to it (orphan links included: they keep it alive too). */
  users: ReadonlyMap<string, ReadonlySet<string>>;
}

/** What the scan gathers while it reads repos. */
export interface StoreTally {
  state: StoreState;
  /** Payload → its stat (null: missing), once per scan. */
  payloads: Map<string, { size: number; atime: number; mtime: number } | null>;
  users: Map<string, Set<string>>;
}

export function emptyStore(root: string): StoreSummary {
  return { state: 'none', path: storeDir(root), payloads: 0, bytes: 0, sharedBytes: 0, unlinked: [], users: new Map() };
}

export function settleStore(scan: CacheScan, tally: StoreTally): void {
  const all = tally.state === 'v1' ? listPayloads(scan.root) : [];
  let total = all.reduce((a, p) => a + p.size, 0);
  let sharedBytes = 0;
  for (const repo of scan.repos) {
    const key = `${repo.type}:${repo.id}`;
    const payloads = new Map<string, number>();
    for (const rev of repo.revisions) for (const f of rev.files) if (f.storePath) payloads.set(f.storePath, f.size);
    const others = new Set<string>();
    let inStore = 0;
    for (const [payload, size] of payloads) {
      inStore += size;
      const users = tally.users.get(payload);
      if (!users || users.size < 2) continue;
      repo.sharedBytes += size;
      for (const u of users) if (u !== key) others.add(u);
    }
    repo.sizeOnDisk -= repo.sharedBytes;
    repo.sharedWith = [...others].sort();
    // The store's payloads are all in `total` already; a repo adds only what it keeps in its own folder.
    total += repo.sizeOnDisk + repo.sharedBytes - inStore;
  }
  for (const p of all) if ((tally.users.get(p.path)?.size ?? 0) > 1) sharedBytes += p.size;
  scan.sizeOnDisk = total;
  scan.store = {
    state: tally.state,
    path: storeDir(scan.root),
    payloads: all.length,
    bytes: all.reduce((a, p) => a + p.size, 0),
    sharedBytes,
    unlinked: all.filter((p) => !tally.users.has(p.path)).map((p) => ({ path: p.path, xetHash: p.xetHash, size: p.size, lastModified: p.mtimeMs })),
    users: tally.users,
  };
}
