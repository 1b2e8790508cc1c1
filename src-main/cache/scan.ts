/**
 * Reading the hub cache into immutable records: repos → revisions (commit, refs) → files, with
 * sizes counted as huggingface_hub's scan_cache_dir counts them (docs/hub-protocol.md §1.9): a blob
 * shared by revisions counts once per repo. Oddities become warnings instead of failures, and,
 * unlike Python, a repo with a problem stays listed (with its warning) so the user can fix it.
 * Reads caches written without symlinks (Windows, copies) too. Never follows a link out of the cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseRepoSpec, repoKey } from '../contract/keys';
import { COMMIT_RE } from '../hub/repo-id';
import { blobsDir, CACHE_NAMES, parseRepoFolderName, refsDir, snapshotsDir } from './layout';
import { STORE_DIR, STORE_MARKER, storeState, storeTargetOf } from './shared-store';
import { emptyStore, settleStore, type StoreSummary, type StoreTally } from './store-accounting';
import { readUntrustedSync } from '../base/untrusted-file';
import { safeLstat, safeReaddir, safeReadlink, safeRealpath, safeStat, walkEntries, walkFiles } from './scan-fs';
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

function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent + path.sep);
}

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

interface BlobInfo {
  size: number;
  atime: number;
  mtime: number;
  storePath?: string;
  nlink?: number;
}

function scanRepo(dir: string, folder: string, type: RepoType, id: string, realRoot: string, scan: CacheScan, tally: StoreTally): CachedRepo | null {
  const label = repoKey({ type, id });
  const warn = (kind: CacheWarningKind, p: string, message: string) => scan.warnings.push({ kind, path: p, message, repo: label });
  const snapshotsFolder = snapshotsDir(dir);
  const blobsFolder = blobsDir(dir);
  const realDir = path.join(realRoot, folder);

  // blobs/: sizes and times once per blob; *.incomplete are reported separately.
  const blobs = new Map<string, BlobInfo>();
  const blobNames: string[] = [];
  for (const b of safeReaddir(blobsFolder)) {
    const p = path.join(blobsFolder, b.name);
    if (b.name.endsWith(CACHE_NAMES.incomplete)) {
      const st = safeStat(p);
      if (st) scan.incomplete.push({ path: p, repo: label, repoFolder: folder, etag: b.name.split('.')[0] ?? '', size: st.size, lastModified: st.mtimeMs });
      continue;
    }
    if (b.isSymbolicLink() && tally.state === 'v1') {
      // A 2.x repo blob: a link into the shared store, its bytes counted once for the cache.
      const target = storeTargetOf(scan.root, p, safeReadlink(p) ?? '');
      const payload = target ? storePayloadInfo(tally, target) : null;
      if (target && payload) {
        blobs.set(p, { ...payload, storePath: target });
        blobNames.push(b.name);
        tally.users.set(target, (tally.users.get(target) ?? new Set()).add(label));
      }
      continue;
    }
    if (!b.isFile()) continue;
    const st = safeStat(p);
    if (st) {
      blobs.set(p, { size: st.size, atime: st.atimeMs, mtime: st.mtimeMs, nlink: st.nlink });
      blobNames.push(b.name);
    }
  }

  // refs/: recursive; the ref name is its relative path (main, refs/pr/1).
  const refs: Record<string, string> = {};
  const refsFolder = refsDir(dir);
  const refsStat = safeLstat(refsFolder);
  if (refsStat?.isFile()) warn('refs-is-file', refsFolder, 'refs is a file, not a folder.');
  else if (refsStat?.isDirectory()) {
    for (const file of walkFiles(refsFolder)) {
      const name = path.relative(refsFolder, file).split(path.sep).join('/');
      const value = safeRead(file);
      if (value !== null && COMMIT_RE.test(value)) refs[name] = value;
      else
        warn(
          'bad-ref',
          file,
          `Ref ${name} does not hold a commit id${value !== null && /\s$/.test(value) ? ' (trailing whitespace breaks Python offline lookups)' : ''}.`,
        );
    }
  }

  const snapStat = safeLstat(snapshotsFolder);
  if (!snapStat?.isDirectory()) {
    warn('no-snapshots', snapshotsFolder, 'The repo has no snapshots folder.');
  }
  const used = new Map<string, BlobInfo>();
  const revisions: CachedRevision[] = [];
  for (const s of snapStat?.isDirectory() ? safeReaddir(snapshotsFolder) : []) {
    const snapPath = path.join(snapshotsFolder, s.name);
    if (!s.isDirectory()) {
      warn('file-in-snapshots', snapPath, `${s.name} is a file directly in snapshots/.`);
      continue;
    }
    if (!COMMIT_RE.test(s.name)) warn('bad-snapshot-name', snapPath, `Snapshot folder ${s.name} is not a commit id.`);
    const files: CachedFile[] = [];
    const revBlobs = new Map<string, number>();
    let lastModified = 0;
    for (const file of walkEntries(snapPath)) {
      const rel = path.sep === '/' ? file.path.slice(snapPath.length + 1) : path.relative(snapPath, file.path).split(path.sep).join('/');
      let blob: string;
      let linked = false;
      if (file.isSymbolicLink) {
        const target = safeReadlink(file.path);
        if (target === null) continue;
        blob = path.resolve(path.dirname(file.path), target);
        linked = true;
        // A link pointing outside this repo folder is neither counted nor ever followed by a delete.
        if (!isInside(blob, dir) && !isInside(blob, realDir)) {
          const real = safeRealpath(blob);
          if (!real || !isInside(real, realRoot)) {
            warn('link-outside-cache', file.path, `${rel} points outside the cache (${target}).`);
            continue;
          }
          blob = real;
        }
      } else {
        blob = file.path; // no-symlink cache: the copy is its own blob
      }
      let info = blobs.get(blob);
      if (!info) {
        const st = safeStat(blob);
        if (!st) {
          warn('dangling-link', file.path, `${rel} points at a missing blob.`);
          continue;
        }
        info = { size: st.size, atime: st.atimeMs, mtime: st.mtimeMs, nlink: st.nlink };
        blobs.set(blob, info);
      }
      files.push({
        path: rel,
        blobPath: blob,
        size: info.size,
        lastAccessed: info.atime,
        lastModified: info.mtime,
        linked,
        ...(info.storePath ? { storePath: info.storePath } : {}),
        ...(!info.storePath && (info.nlink ?? 1) > 1 ? { hardLinks: info.nlink } : {}),
      });
      revBlobs.set(blob, info.size);
      used.set(blob, info);
      lastModified = Math.max(lastModified, info.mtime);
    }
    files.sort((a, b) => a.path.localeCompare(b.path));
    revisions.push({
      commit: s.name,
      refs: Object.entries(refs)
        .filter(([, c]) => c === s.name)
        .map(([r]) => r)
        .sort(),
      snapshotPath: snapPath,
      files,
      sizeOnDisk: [...revBlobs.values()].reduce((a, b) => a + b, 0),
      nbFiles: files.length,
      lastModified: lastModified || (files.length ? 0 : (safeStat(snapPath)?.mtimeMs ?? 0)),
    });
  }
  for (const [name, commit] of Object.entries(refs)) {
    if (!revisions.some((r) => r.commit === commit))
      warn('ref-to-missing-commit', path.join(refsFolder, name), `Ref ${name} points at ${commit}, which has no snapshot.`);
  }
  for (const name of blobNames) {
    const p = path.join(blobsFolder, name);
    if (!used.has(p)) {
      const info = blobs.get(p) as BlobInfo;
      scan.orphans.push({
        path: p,
        repo: label,
        repoFolder: folder,
        etag: name,
        size: info.size,
        lastModified: info.mtime,
        ...(info.storePath ? { storePath: info.storePath } : {}),
      });
    }
  }
  revisions.sort((a, b) => b.lastModified - a.lastModified);
  const usedInfos = [...used.values()];
  const repoStat = safeStat(dir);
  return {
    type,
    id,
    folder,
    path: dir,
    revisions,
    // Settled once every repo is read (settleStore): payloads other repos use leave this sum.
    sizeOnDisk: usedInfos.reduce((a, b) => a + b.size, 0),
    sharedBytes: 0,
    sharedWith: [],
    nbFiles: used.size,
    lastAccessed: usedInfos.length ? Math.max(...usedInfos.map((b) => b.atime)) : (repoStat?.atimeMs ?? 0),
    lastModified: usedInfos.length ? Math.max(...usedInfos.map((b) => b.mtime)) : (repoStat?.mtimeMs ?? 0),
    refs,
  };
}

/** A payload's size and times, stat'ed once per scan however many repos link to it. */
function storePayloadInfo(tally: StoreTally, payload: string): BlobInfo | null {
  const known = tally.payloads.get(payload);
  if (known !== undefined) return known;
  const st = safeLstat(payload);
  const info = st?.isFile() ? { size: st.size, atime: st.atimeMs, mtime: st.mtimeMs } : null;
  tally.payloads.set(payload, info);
  return info;
}

/** A ref file: small, and someone else's (a FIFO there must not block the scan). */
function safeRead(p: string): string | null {
  try {
    return readUntrustedSync(p, 4096).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * The cached repo a person means: `org/name`, `dataset/org/name`, `datasets/org/name` (as the `hf`
 * CLI takes them) or a key `model:org/name`. The one way to find a cached repo.
 */
export function findCachedRepo(scan: CacheScan, spec: string): CachedRepo | null {
  const ref = parseRepoSpec(spec);
  return ref ? (scan.repos.find((r) => r.type === ref.type && r.id === ref.id) ?? null) : null;
}
