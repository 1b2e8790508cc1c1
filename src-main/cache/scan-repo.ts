/**
 * One repo folder of the cache read into a record: its blobs (sizes and times once each; 2.x links
 * into the shared store counted there), its refs, each snapshot's files, and what is left over
 * (orphan blobs, refs to missing commits). Oddities are warnings on the scan, never failures.
 */
import path from 'node:path';
import { repoKey } from '../contract/keys';
import { readUntrustedSync } from '../base/untrusted-file';
import { COMMIT_RE, type RepoType } from '../hub/repo-id';
import { blobsDir, CACHE_NAMES, refsDir, snapshotsDir } from './layout';
import type { CachedFile, CachedRepo, CachedRevision, CacheScan, CacheWarningKind } from './scan';
import { safeLstat, safeReaddir, safeReadlink, safeRealpath, safeStat, walkEntries, walkFiles } from './scan-fs';
import { storeTargetOf } from './shared-store';
import type { StoreTally } from './store-accounting';

interface BlobInfo {
  size: number;
  atime: number;
  mtime: number;
  storePath?: string;
  nlink?: number;
}

/** What every part of one repo's reading shares. */
interface RepoReading {
  dir: string;
  folder: string;
  label: string;
  realRoot: string;
  realDir: string;
  scan: CacheScan;
  tally: StoreTally;
  warn: (kind: CacheWarningKind, p: string, message: string) => void;
  /** Blob path → its size and times, found in blobs/ or through a snapshot's links. */
  blobs: Map<string, BlobInfo>;
  /** The blobs some snapshot uses. */
  used: Map<string, BlobInfo>;
}

export function scanRepo(dir: string, folder: string, type: RepoType, id: string, realRoot: string, scan: CacheScan, tally: StoreTally): CachedRepo | null {
  const label = repoKey({ type, id });
  const r: RepoReading = {
    dir,
    folder,
    label,
    realRoot,
    realDir: path.join(realRoot, folder),
    scan,
    tally,
    warn: (kind, p, message) => scan.warnings.push({ kind, path: p, message, repo: label }),
    blobs: new Map(),
    used: new Map(),
  };
  const blobNames = readBlobs(r);
  const refs = readRefs(r);
  const snapshotsFolder = snapshotsDir(dir);
  const snapStat = safeLstat(snapshotsFolder);
  if (!snapStat?.isDirectory()) r.warn('no-snapshots', snapshotsFolder, 'The repo has no snapshots folder.');
  const revisions: CachedRevision[] = [];
  for (const s of snapStat?.isDirectory() ? safeReaddir(snapshotsFolder) : []) {
    const snapPath = path.join(snapshotsFolder, s.name);
    if (!s.isDirectory()) {
      r.warn('file-in-snapshots', snapPath, `${s.name} is a file directly in snapshots/.`);
      continue;
    }
    if (!COMMIT_RE.test(s.name)) r.warn('bad-snapshot-name', snapPath, `Snapshot folder ${s.name} is not a commit id.`);
    revisions.push(readRevision(r, snapPath, s.name, refs));
  }
  for (const [name, commit] of Object.entries(refs)) {
    if (!revisions.some((rev) => rev.commit === commit))
      r.warn('ref-to-missing-commit', path.join(refsDir(dir), name), `Ref ${name} points at ${commit}, which has no snapshot.`);
  }
  reportOrphans(r, blobNames);
  revisions.sort((a, b) => b.lastModified - a.lastModified);
  const usedInfos = [...r.used.values()];
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
    nbFiles: r.used.size,
    lastAccessed: usedInfos.length ? Math.max(...usedInfos.map((b) => b.atime)) : (repoStat?.atimeMs ?? 0),
    lastModified: usedInfos.length ? Math.max(...usedInfos.map((b) => b.mtime)) : (repoStat?.mtimeMs ?? 0),
    refs,
  };
}

/** blobs/: sizes and times once per blob; *.incomplete are reported separately. Returns the blob names found. */
function readBlobs(r: RepoReading): string[] {
  const blobsFolder = blobsDir(r.dir);
  const blobNames: string[] = [];
  for (const b of safeReaddir(blobsFolder)) {
    const p = path.join(blobsFolder, b.name);
    if (b.name.endsWith(CACHE_NAMES.incomplete)) {
      const st = safeStat(p);
      if (st)
        r.scan.incomplete.push({ path: p, repo: r.label, repoFolder: r.folder, etag: b.name.split('.')[0] ?? '', size: st.size, lastModified: st.mtimeMs });
      continue;
    }
    if (b.isSymbolicLink() && r.tally.state === 'v1') {
      // A 2.x repo blob: a link into the shared store, its bytes counted once for the cache.
      const target = storeTargetOf(r.scan.root, p, safeReadlink(p) ?? '');
      const payload = target ? storePayloadInfo(r.tally, target) : null;
      if (target && payload) {
        r.blobs.set(p, { ...payload, storePath: target });
        blobNames.push(b.name);
        r.tally.users.set(target, (r.tally.users.get(target) ?? new Set()).add(r.label));
      }
      continue;
    }
    if (!b.isFile()) continue;
    const st = safeStat(p);
    if (st) {
      r.blobs.set(p, { size: st.size, atime: st.atimeMs, mtime: st.mtimeMs, nlink: st.nlink });
      blobNames.push(b.name);
    }
  }
  return blobNames;
}

/** refs/: recursive; the ref name is its relative path (main, refs/pr/1). */
function readRefs(r: RepoReading): Record<string, string> {
  const refs: Record<string, string> = {};
  const refsFolder = refsDir(r.dir);
  const refsStat = safeLstat(refsFolder);
  if (refsStat?.isFile()) r.warn('refs-is-file', refsFolder, 'refs is a file, not a folder.');
  else if (refsStat?.isDirectory()) {
    for (const file of walkFiles(refsFolder)) {
      const name = path.relative(refsFolder, file).split(path.sep).join('/');
      const value = safeRead(file);
      if (value !== null && COMMIT_RE.test(value)) refs[name] = value;
      else
        r.warn(
          'bad-ref',
          file,
          `Ref ${name} does not hold a commit id${value !== null && /\s$/.test(value) ? ' (trailing whitespace breaks Python offline lookups)' : ''}.`,
        );
    }
  }
  return refs;
}

/** One snapshot folder: its files with their blobs, the distinct bytes they use, the refs naming it. */
function readRevision(r: RepoReading, snapPath: string, commit: string, refs: Record<string, string>): CachedRevision {
  const files: CachedFile[] = [];
  const revBlobs = new Map<string, number>();
  let lastModified = 0;
  for (const file of walkEntries(snapPath)) {
    const rel = path.sep === '/' ? file.path.slice(snapPath.length + 1) : path.relative(snapPath, file.path).split(path.sep).join('/');
    // no-symlink cache: the copy is its own blob
    const blob = file.isSymbolicLink ? linkedBlob(r, file.path, rel) : file.path;
    if (blob === null) continue;
    const info = blobInfo(r, blob, file.path, rel);
    if (!info) continue;
    files.push({
      path: rel,
      blobPath: blob,
      size: info.size,
      lastAccessed: info.atime,
      lastModified: info.mtime,
      linked: file.isSymbolicLink,
      ...(info.storePath ? { storePath: info.storePath } : {}),
      ...(!info.storePath && (info.nlink ?? 1) > 1 ? { hardLinks: info.nlink } : {}),
    });
    revBlobs.set(blob, info.size);
    r.used.set(blob, info);
    lastModified = Math.max(lastModified, info.mtime);
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return {
    commit,
    refs: Object.entries(refs)
      .filter(([, c]) => c === commit)
      .map(([ref]) => ref)
      .sort(),
    snapshotPath: snapPath,
    files,
    sizeOnDisk: [...revBlobs.values()].reduce((a, b) => a + b, 0),
    nbFiles: files.length,
    lastModified: lastModified || (files.length ? 0 : (safeStat(snapPath)?.mtimeMs ?? 0)),
  };
}

/** Where a snapshot link points; null (with a warning) for a link out of the cache, which is neither counted nor ever followed by a delete. */
function linkedBlob(r: RepoReading, linkPath: string, rel: string): string | null {
  const target = safeReadlink(linkPath);
  if (target === null) return null;
  const blob = path.resolve(path.dirname(linkPath), target);
  if (isInside(blob, r.dir) || isInside(blob, r.realDir)) return blob;
  const real = safeRealpath(blob);
  if (!real || !isInside(real, r.realRoot)) {
    r.warn('link-outside-cache', linkPath, `${rel} points outside the cache (${target}).`);
    return null;
  }
  return real;
}

/** A blob's size and times, stat'ed once; null (with a warning) when it is missing. */
function blobInfo(r: RepoReading, blob: string, filePath: string, rel: string): BlobInfo | null {
  const known = r.blobs.get(blob);
  if (known) return known;
  const st = safeStat(blob);
  if (!st) {
    r.warn('dangling-link', filePath, `${rel} points at a missing blob.`);
    return null;
  }
  const info = { size: st.size, atime: st.atimeMs, mtime: st.mtimeMs, nlink: st.nlink };
  r.blobs.set(blob, info);
  return info;
}

/** Blobs in blobs/ that no snapshot uses. */
function reportOrphans(r: RepoReading, blobNames: string[]): void {
  const blobsFolder = blobsDir(r.dir);
  for (const name of blobNames) {
    const p = path.join(blobsFolder, name);
    if (r.used.has(p)) continue;
    const info = r.blobs.get(p) as BlobInfo;
    r.scan.orphans.push({
      path: p,
      repo: r.label,
      repoFolder: r.folder,
      etag: name,
      size: info.size,
      lastModified: info.mtime,
      ...(info.storePath ? { storePath: info.storePath } : {}),
    });
  }
}

function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent + path.sep);
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
