/**
 * `--local-dir`: a revision's files at their real paths in a folder of the user's, with Python's
 * bookkeeping beside them (local-dir-layout.ts), so `hf download --local-dir DIR` afterwards finds
 * everything and fetches nothing, and a folder Python filled (even half-way) is completed here
 * without refetching. Per file, under the lock Python takes too (`download/<path>.lock`):
 *  1. a file whose metadata names this commit, or this etag, is done (the metadata is refreshed);
 *     one without metadata whose hash is the etag is adopted (metadata written), as Python does;
 *  2. a file there that is not this one (no trustworthy metadata, another hash, a link) is never
 *     overwritten unless asked: the error shows both sizes and hashes;
 *  3. the bytes come from this machine when the cache holds the same blob (cloned where the drive
 *     can, verified), else from the network into a temp file of Python's name, resuming one that
 *     Python or an earlier run left; verified (sha256 or git's sha1) before the rename.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { formatBytes } from '../contract/present/format';
import { lockFile } from '../cache/blob-lock';
import { repoFolderName, snapshotsDir } from '../cache/layout';
import { writeTreeRecord } from '../cache/tree-record';
import type { HubHttp } from '../hub/http';
import type { RepoRef } from '../hub/repo-id';
import { resolveUrl, type PlannedFile } from '../hub/resolve';
import { copyUntrusted, openUntrusted } from '../base/untrusted-file';
import { INCOMPLETE_SUFFIX } from './range-state';
import { cancelledError, diskError } from './failures';
import { createDiskHasher } from './hasher';
import { copyLocalBlob } from './local-copy';
import { ensureHfDir, hfDir, leftIncompletes, localDirPaths, newIncomplete, readMetadata, writeMetadata, type LocalDirPaths } from './local-dir-layout';
import { planDownload } from './plan';
import { examineTarget, nameProblem, type TargetFacts } from './local-dir-target';
import { xetRefreshUrl } from './xet-blob';

/**
 * The engine's "fetch a verified file of known etag and size into this temp path, resumably":
 * bytes already in `partial` are kept and the rest fetched with Range; the file is checked against
 * the etag before it resolves. The download engine provides it (see core.ts).
 */
export type FetchInto = (
  req: {
    url: string;
    etag: string;
    size: number;
    partial: string;
    ctx: { repo: string; revision: string; path: string };
    xet?: { hash: string; refreshUrl: string };
  },
  opts: { signal: AbortSignal; onBytes?: (delta: number) => void },
) => Promise<{ bytesFetched: number; resumedFrom: number; protocol?: 'xet' | 'http'; xetHashDiffers?: true }>;

export interface LocalDirRequest {
  repo: RepoRef;
  revision: string;
  dir: string;
  files?: string[];
  patterns?: string[];
  /** Replace files there that are not this revision's (each one named in the error otherwise). */
  overwrite?: boolean;
}

export type LocalDirVia = 'present' | 'hashed' | 'cache' | 'network';

export interface LocalDirFileResult {
  path: string;
  size: number;
  via: LocalDirVia;
  /** From the network: Xet ranges or the classic whole-file road. */
  protocol?: 'xet' | 'http';
  xetHashDiffers?: true;
  bytesFetched: number;
  resumedFrom: number;
}

export interface LocalDirResult {
  dir: string;
  commit: string;
  files: LocalDirFileResult[];
  skipped: { path: string; reason: string }[];
  bytesFetched: number;
  bytesFromCache: number;
}

export interface LocalDirDeps {
  hub: HubHttp;
  cacheDir: string;
  fetchInto: FetchInto;
  signal?: AbortSignal;
  onFile?: (f: LocalDirFileResult) => void;
  onBytes?: (path: string, delta: number) => void;
  /** Another program (Python, another Hubcap) holds this file's lock: the download waits for it. */
  onWaiting?: (path: string) => void;
  /** Where the download stands: a file started, bytes arrived (throttled by the caller), a file done. */
  onProgress?: (p: { file: string; filesDone: number; files: number; bytes: number; size: number }) => void;
}

/** A file's hash read from disk the way its etag is made (sha256, or git's blob sha1). */
async function hashOf(file: string, etag: string, size: number): Promise<string | null> {
  const { fh, stat } = await openUntrusted(file);
  try {
    if (stat.size !== size) return null;
    const hasher = createDiskHasher(fh.fd, etag, size, false);
    hasher.advance(size);
    try {
      return await hasher.digest();
    } finally {
      await hasher.dispose();
    }
  } finally {
    await fh.close();
  }
}

/** What is at the file's place now, and whether it is already this file (its metadata or its hash says so). */
async function existing(paths: LocalDirPaths, f: PlannedFile, commit: string, overwrite: boolean): Promise<'missing' | 'present' | 'hashed' | 'replace'> {
  const st = fs.lstatSync(paths.file, { throwIfNoEntry: false });
  if (!st) return 'missing';
  const meta = st.isFile() ? readMetadata(paths) : null;
  if (meta && (meta.commit === commit || meta.etag === f.etag)) return 'present';
  // An older download of this file (its metadata says so, the file untouched since): replaced, as Python does.
  if (meta) return 'replace';
  const theirs = st.isFile() ? await hashOf(paths.file, f.etag, f.size).catch(() => null) : null;
  if (theirs === f.etag) return 'hashed';
  if (overwrite) return 'replace';
  const what = st.isSymbolicLink()
    ? 'a link'
    : st.isFile()
      ? `a file of ${formatBytes(st.size)}${theirs ? '' : ` (${st.size === f.size ? 'another hash' : 'another size'})`}`
      : 'a folder';
  throw new ApiError(
    'CONFLICT',
    `${paths.file} is already there and is not this file: ${what}; the Hub's is ${formatBytes(f.size)}, ${f.etag.length === 64 ? 'sha256' : 'git sha1'} ${f.etag}. Nothing was overwritten (--overwrite replaces it).`,
    {
      path: paths.file,
      theirs: { size: st.size, kind: st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other' },
      ours: { size: f.size, etag: f.etag },
    },
  );
}

/** A copy (a clone where the drive can) of a cache file, verified against the etag before it takes `dest`. */
async function copyVerified(src: string, dest: string, f: PlannedFile, cacheDir: string): Promise<boolean> {
  const tmp = `${dest.slice(0, -INCOMPLETE_SUFFIX.length)}.${randomBytes(4).toString('hex')}.copy${INCOMPLETE_SUFFIX}`;
  try {
    await copyUntrusted(src, tmp, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE, { root: cacheDir, followLinks: true });
    if ((await hashOf(tmp, f.etag, f.size)) !== f.etag) return false;
    await fs.promises.rename(tmp, dest);
    return true;
  } catch {
    return false;
  } finally {
    await fs.promises.rm(tmp, { force: true });
  }
}

/**
 * This commit's file in the cache (through a snapshot link, a 2.x shared-store payload included),
 * else a blob of the same name in any repo of the cache; null if none checks out.
 */
async function fromCache(cacheDir: string, repo: RepoRef, commit: string, f: PlannedFile, dest: string, signal: AbortSignal): Promise<boolean> {
  const snapshot = path.join(snapshotsDir(path.join(cacheDir, repoFolderName(repo))), commit, ...f.path.split('/'));
  if (fs.existsSync(snapshot) && (await copyVerified(snapshot, dest, f, cacheDir))) return true;
  // '' names no repo folder: every repo of the cache is a candidate, this one included.
  return (await copyLocalBlob(cacheDir, '', f.etag, f.size, dest, signal).catch(() => null)) !== null;
}

async function placeOne(deps: LocalDirDeps, req: LocalDirRequest, commit: string, f: PlannedFile, signal: AbortSignal): Promise<LocalDirFileResult> {
  const paths = localDirPaths(req.dir, f.path);
  await fs.promises.mkdir(paths.downloadDir, { recursive: true });
  await fs.promises.mkdir(path.dirname(paths.file), { recursive: true });
  const lock = await lockFile(paths.lock, { signal, onWaiting: () => deps.onWaiting?.(f.path) });
  try {
    const state = await existing(paths, f, commit, req.overwrite === true);
    const result = { path: f.path, size: f.size, bytesFetched: 0, resumedFrom: 0 };
    if (state === 'present' || state === 'hashed') {
      const meta = readMetadata(paths);
      if (!meta || meta.commit !== commit) await writeMetadata(paths, commit, f.etag);
      return { ...result, via: state };
    }
    const left = leftIncompletes(paths, f.etag)[0];
    const temp = left?.path ?? newIncomplete(paths, f.etag);
    let via: LocalDirVia = 'cache';
    if (!(await fromCache(deps.cacheDir, req.repo, commit, f, temp, signal))) {
      if (signal.aborted) throw cancelledError();
      via = 'network';
      const fetched = await deps.fetchInto(
        {
          url: resolveUrl(deps.hub, req.repo, commit, f.path),
          etag: f.etag,
          size: f.size,
          partial: temp,
          ctx: { repo: req.repo.id, revision: commit, path: f.path },
          ...(f.xetHash ? { xet: { hash: f.xetHash, refreshUrl: f.xetAuthUrl ?? xetRefreshUrl(deps.hub, req.repo, commit) } } : {}),
        },
        { signal, onBytes: (d) => deps.onBytes?.(f.path, d) },
      );
      Object.assign(result, fetched);
    }
    // The temp file was verified; it takes the file's name (replacing an outdated one), then the metadata is written.
    await fs.promises.rename(temp, paths.file);
    await writeMetadata(paths, commit, f.etag);
    return { ...result, via };
  } catch (error) {
    throw (await diskError(error, req.dir, f.size, f.path)) ?? error;
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** The folder must be the user's own: not inside the cache, not a link elsewhere, writable; missing, it is created (as Python does). */
function checkFolder(dir: string, cacheDir: string): TargetFacts {
  const facts = examineTarget(dir, cacheDir, { createFolder: true });
  const first = facts.problems[0];
  if (first)
    throw new ApiError(first.code === 'NOT_WRITABLE' ? 'FORBIDDEN' : 'INVALID_PATH', facts.problems.map((p) => p.message).join(' '), { problem: first.code });
  return facts;
}

export async function downloadToLocalDir(deps: LocalDirDeps, req: LocalDirRequest): Promise<LocalDirResult> {
  const signal = deps.signal ?? new AbortController().signal;
  const facts = checkFolder(req.dir, deps.cacheDir);
  const plan = await planDownload(deps.hub, req.repo, req.revision, {
    ...(req.files ? { files: req.files } : {}),
    ...(req.patterns ? { patterns: req.patterns } : {}),
  });
  for (const f of plan.files) {
    const bad = nameProblem(f.path, facts.fsType);
    if (bad) throw new ApiError('INVALID_PATH', `${f.path} cannot be stored in ${req.dir} (${facts.fsType}): ${bad}. Nothing was written.`);
  }
  await fs.promises.mkdir(req.dir, { recursive: true });
  ensureHfDir(req.dir);
  const files: LocalDirFileResult[] = [];
  for (const [i, f] of plan.files.entries()) {
    if (signal.aborted) throw cancelledError();
    let bytes = 0;
    const progress = (delta: number) => {
      bytes += delta;
      deps.onProgress?.({ file: f.path, filesDone: i, files: plan.files.length, bytes, size: f.size });
    };
    progress(0);
    const done = await placeOne(
      {
        ...deps,
        onBytes: (p, d) => {
          deps.onBytes?.(p, d);
          progress(d);
        },
      },
      req,
      plan.commit,
      f,
      signal,
    );
    files.push(done);
    deps.onFile?.(done);
  }
  if (plan.listing) writeTreeRecord(hfDir(req.dir), plan.commit, plan.listing);
  return {
    dir: req.dir,
    commit: plan.commit,
    files,
    skipped: plan.skipped,
    bytesFetched: files.reduce((a, f) => a + f.bytesFetched, 0),
    bytesFromCache: files.filter((f) => f.via === 'cache').reduce((a, f) => a + f.size, 0),
  };
}
