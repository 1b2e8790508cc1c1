/** The cache browser: the overview, a revision's files, delete plans, verify and repair. */
import { z } from 'zod';
import { COMMIT_RE } from './ids';
import type { DownloadJob, RepoType } from './downloads';
import { RepoKeySchema } from './keys';
import { request } from './request';

export interface CacheRevisionView {
  commit: string;
  refs: string[];
  /** `<repo>/snapshots/<commit>`: the folder `from_pretrained(path)` and other tools accept, files at their real names. */
  snapshotPath: string;
  sizeOnDisk: number;
  /** Bytes of blobs no other revision of the repo uses (what deleting it alone frees). */
  uniqueBytes: number;
  nbFiles: number;
  lastModified: number;
}

export interface CacheRepoView {
  /** "model:org/name": the key for actions. */
  key: string;
  type: RepoType;
  id: string;
  path: string;
  /** Bytes it holds alone (deleting all of it frees at most this, less hard-linked blobs). */
  sizeOnDisk: number;
  /** Bytes of shared-store payloads it uses that other repos use too (huggingface_hub 2.x). */
  sharedBytes: number;
  /** The repos (keys) it shares those payloads with. */
  sharedWith: string[];
  nbFiles: number;
  lastAccessed: number;
  lastModified: number;
  revisions: CacheRevisionView[];
}

/** huggingface_hub 2.x's shared blob store (`<cache>/blobs/`), counted once. */
export interface SharedStoreView {
  /** none: the cache has no store; v1: read and written; unknown: another layout, left alone; unmarked: not a store. */
  state: 'none' | 'v1' | 'unknown' | 'unmarked';
  path: string;
  payloads: number;
  bytes: number;
  sharedBytes: number;
  /** Payloads no repo links to any more (`cache prune` collects those whose manifest agrees). */
  unlinked: { path: string; size: number; lastModified: number }[];
}

export interface LooseFileView {
  path: string;
  repo: string;
  size: number;
  lastModified: number;
  /** Being written by a download right now. */
  active?: boolean;
}

export interface CacheOverview {
  root: string;
  exists: boolean;
  /** Every byte once: repos' own blobs plus each store payload (what huggingface_hub 2.0 calls the physical size). */
  sizeOnDisk: number;
  store: SharedStoreView;
  repos: CacheRepoView[];
  warnings: { kind: string; path: string; message: string; repo?: string }[];
  incomplete: LooseFileView[];
  orphans: LooseFileView[];
  scannedAt: string;
}

export interface CacheFileView {
  path: string;
  size: number;
  /** The blob it resolves to, relative to the cache root (`models--org--name/blobs/<etag>`). */
  blob: string;
  /** The shared-store payload that blob leads to, relative to the cache root (huggingface_hub 2.x). */
  payload?: string;
  linked: boolean;
  lastAccessed: number;
  /** Names its bytes have when more than one: hard-linked to another file (another app's), which can change them in place. */
  hardLinks?: number;
  /** Read through huggingface_hub 2.x's shared store (its payload may be shared with other repos). */
  shared?: boolean;
}

export interface DeletePlanView {
  /** Exactly what the disk gets back: a shared payload only with its last reference, a hard-linked blob never. */
  freedBytes: number;
  summary: { label: string; bytes: number }[];
  /** What stays on disk although its files go, and why (shared with other repos, hard-linked elsewhere). */
  kept: { label: string; bytes: number }[];
  counts: { repos: number; revisions: number; blobs: number; files: number };
  /** Other apps' folders the deleted revisions were exported to: their symlinks into the cache break; copies stay. */
  usedElsewhere?: { label: string; files: number; symlinks: number }[];
  /** Loaded models (Chat, the Local API) that run from what this deletes: the delete is refused until they are unloaded. */
  loaded?: { name: string; revision: string }[];
}

export interface VerifyView {
  checked: number;
  /** Each corrupt blob with the files that use it (`<commit8>/<path>` for people, `uses` for a repair). */
  corrupt: {
    etag: string;
    files: string[];
    uses: { commit: string; path: string }[];
    /** The blob is hard-linked to another file: the program that owns that file changed the bytes in place. */
    changedInPlace?: boolean;
  }[];
  /** Copies whose expected hash is not known here (no recorded listing, and the Hub not asked). */
  unverifiable: string[];
}

/** What of one repo is on this machine, by blob: a model page marks each file it shows. */
export interface CacheMoveResult {
  from: string;
  to: string;
  bytes: number;
  how: 'rename' | 'copy';
  resumed: boolean;
  /** The old place is now a link to the new one (programs still set to it keep working). */
  leftLink: boolean;
  /** The exact line for the user's shell that points Python tools at the new place (HF_HUB_CACHE). */
  shellLine: string;
  /** What Python tools need to find it there (they read the environment, not Hubcap's settings). */
  pythonNote: string;
}

export interface CachePresence {
  repo: string;
  inCache: boolean;
  /** Complete blobs, each with the snapshot files that use it. */
  blobs: { etag: string; size: number; uses: { commit: string; path: string }[] }[];
}

// ---------- requests ----------

export const DeleteTargetInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('repo'), repo: RepoKeySchema }).strict(),
  z.object({ kind: z.literal('revision'), repo: RepoKeySchema, commit: z.string().regex(COMMIT_RE, 'Not a commit id.') }).strict(),
  z.object({ kind: z.literal('orphans') }).strict(),
  // Shared-store payloads no repo links to any more (what `hf cache prune` collects).
  z.object({ kind: z.literal('store') }).strict(),
  z.object({ kind: z.literal('incomplete') }).strict(),
  // Revisions no ref points at: what `hf cache prune` removes (snapshots being downloaded into are kept).
  z.object({ kind: z.literal('detached') }).strict(),
]);
export type DeleteTargetInput = z.infer<typeof DeleteTargetInput>;
const DeleteTargets = z.object({ targets: z.array(DeleteTargetInput).min(1).max(500) }).strict();

export const cacheRequests = {
  'cache.scan': request<CacheOverview>()(z.object({ fresh: z.boolean().optional() }).strict()),
  'cache.files': request<CacheFileView[]>()(z.object({ repo: RepoKeySchema, commit: z.string().regex(COMMIT_RE) }).strict()),
  'cache.planDelete': request<DeletePlanView>()(DeleteTargets),
  'cache.delete': request<DeletePlanView & { errors: string[] }>()(DeleteTargets),
  'cache.repair': request<DownloadJob[]>()(z.object({ repo: RepoKeySchema }).strict()),
  'cache.verify': request<VerifyView>()(z.object({ repo: RepoKeySchema }).strict()),
  /** A hard-linked file's blob gets its own bytes (a clone, else a copy): another app can then no longer change it in place. */
  'cache.unshare': request<{ how: 'clone' | 'copy'; bytes: number }>()(
    z.object({ repo: RepoKeySchema, commit: z.string().regex(COMMIT_RE), path: z.string().min(1).max(1024) }).strict(),
  ),
  'cache.presence': request<CachePresence>()(z.object({ repo: RepoKeySchema }).strict()),
  /** Moves the whole cache (resumable) and points Settings at the new folder. */
  'cache.move': request<CacheMoveResult>()(z.object({ to: z.string().min(1).max(4096) }).strict()),
} as const;
