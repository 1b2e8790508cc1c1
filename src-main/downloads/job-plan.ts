/**
 * A job's files and which of them are already here: the plan (from the Hub, or offline from what
 * the cache holds and its trees/<commit>.json), each file counted done only when its snapshot entry
 * has the Hub's size and its blob's bytes are known right (hashed before, by inode), a present blob
 * linked into the snapshot instead of fetched, and with `force` every present file rehashed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { blobPath, blobsDir, ensureCacheDir, linkSnapshotFile, readRef, snapshotFilePath, snapshotsDir } from '../cache/layout';
import { knownRight } from '../cache/payload-hash';
import { readTreeRecord, writeTreeRecord } from '../cache/tree-record';
import { hashBlob } from '../cache/verify';
import { HubError } from '../hub/errors';
import { unsafeNameReason } from '../hub/file-names';
import type { HubHttp } from '../hub/http';
import { COMMIT_RE, type RepoRef } from '../hub/repo-id';
import type { PlannedFile } from '../hub/resolve';
import { isPartialOf } from './partial-file';
import { matchesAny } from './patterns';
import { planDownload } from './plan';
import type { DownloadJob, JobFile } from './types';

export interface JobPlan {
  commit: string;
  files: PlannedFile[];
  skipped: DownloadJob['skipped'];
}

/** The job's commit and files: asked of the Hub (its listing kept for Python's offline mode), or offline from the cache. */
export async function planJob(hub: HubHttp, job: DownloadJob, repo: RepoRef, dir: string): Promise<JobPlan> {
  if (hub.isOffline()) return { ...resolveOffline(job, repo, dir), skipped: job.skipped };
  const plan = await planDownload(hub, repo, job.request.commit ?? job.request.revision, {
    ...(job.request.files ? { files: job.request.files } : {}),
    ...(job.request.patterns ? { patterns: job.request.patterns } : {}),
  });
  ensureCacheDir(job.cacheDir);
  // The listing Python writes too, so its offline snapshot_download knows what is missing.
  if (plan.listing) {
    fs.mkdirSync(snapshotsDir(dir), { recursive: true });
    writeTreeRecord(dir, plan.commit, plan.listing);
  }
  return { commit: plan.commit, files: plan.files, skipped: plan.skipped };
}

/** The job's files from a plan: done when already here and right, else pending with what a resume starts from. */
export function jobFilesOf(job: DownloadJob, dir: string, commit: string, planned: PlannedFile[], disableSymlinks: boolean): JobFile[] {
  const previous = new Map(job.files.map((f) => [f.path, f]));
  return planned.map((p) => {
    // Present bytes count as done only once they are known to be right (hashed before, by inode);
    // otherwise the file runs, and the run hashes the present blob before trusting it (#24.4).
    const done = trusted(dir, p) && (snapshotMatches(dir, commit, p) || linkIfBlobPresent(job.cacheDir, dir, commit, p, disableSymlinks));
    const before = previous.get(p.path);
    const partial = done ? p.size : partialSize(dir, p.etag, p.size);
    return {
      path: p.path,
      size: p.size,
      etag: p.etag,
      lfs: p.lfs,
      state: done ? 'done' : 'pending',
      done: partial || (before?.etag === p.etag ? Math.min(before.done, p.size) : 0),
      ...(before?.replace ? { replace: true } : {}),
    };
  });
}

/** --force / repair: present files are rehashed; one whose bytes do not match is fetched again. */
export async function recheck(job: DownloadJob, dir: string, commit: string): Promise<void> {
  for (const f of job.files) {
    if (f.state !== 'done') continue;
    let ok = false;
    try {
      ok = (await hashBlob(snapshotFilePath(dir, commit, f.path), f.etag, { root: path.dirname(dir), followLinks: true })) === f.etag;
    } catch {
      ok = false;
    }
    if (!ok) {
      f.state = 'pending';
      f.done = 0;
      f.replace = true;
    }
  }
}

/** The blob's bytes were hashed before (by this or an earlier run) and match its name; git blob names are not checked. */
function trusted(dir: string, p: PlannedFile): boolean {
  const blob = blobPath(dir, p.etag);
  // No blob (a no-symlink cache keeps its copies in snapshots/): the snapshot check alone decides.
  if (!fs.existsSync(blob)) return true;
  try {
    return knownRight(blob, p.etag);
  } catch {
    return false;
  }
}

/** A snapshot entry counts only if it is there with the size the Hub gives (a live link or a copy). */
function snapshotMatches(dir: string, commit: string, p: PlannedFile): boolean {
  try {
    const st = fs.statSync(snapshotFilePath(dir, commit, p.path));
    return st.isFile() && st.size === p.size;
  } catch {
    return false;
  }
}

function linkIfBlobPresent(cacheDir: string, dir: string, commit: string, p: PlannedFile, disableSymlinks: boolean): boolean {
  try {
    const blob = blobPath(dir, p.etag);
    if (fs.statSync(blob).size !== p.size) return false;
    linkSnapshotFile(cacheDir, dir, commit, p.path, p.etag, { disableSymlinks });
    return true;
  } catch {
    return false;
  }
}

/** The largest partial of a blob on disk (what a resume will start from). */
function partialSize(dir: string, etag: string, max: number): number {
  let best = 0;
  try {
    const blobs = blobsDir(dir);
    for (const name of fs.readdirSync(blobs)) {
      if (!isPartialOf(name, etag)) continue;
      const size = fs.statSync(path.join(blobs, name)).size;
      if (size <= max) best = Math.max(best, size);
    }
  } catch {
    // no blobs folder yet
  }
  return best;
}

/** Offline: only what the cache already holds; with trees/<commit>.json, say exactly what is missing. */
function resolveOffline(job: DownloadJob, repo: RepoRef, dir: string): { commit: string; files: PlannedFile[] } {
  const rev = job.request.commit ?? job.request.revision;
  const commit = COMMIT_RE.test(rev) ? rev : readRef(dir, rev);
  const what = `${repo.id}@${job.request.revision}`;
  if (!commit || !fs.existsSync(path.join(snapshotsDir(dir), commit))) throw new HubError('OFFLINE', `Offline mode is on, and ${what} is not in the cache.`);
  const snapshot = path.join(snapshotsDir(dir), commit);
  const present = new Set(listSnapshot(snapshot));
  const wanted = job.request.files ?? [];
  const patterns = job.request.patterns ?? [];
  const chosen = (p: string) => (!wanted.length && !patterns.length) || wanted.includes(p) || matchesAny(p, patterns);
  const record = readTreeRecord(dir, commit);
  if (record) {
    const files = [...record]
      .filter(([p]) => chosen(p) && unsafeNameReason(p) === null)
      .map(([p, r]): PlannedFile => ({ path: p, size: r.size, etag: r.etag, lfs: r.lfs }));
    const unknown = wanted.filter((p) => !record.has(p));
    if (unknown.length) throw new HubError('OFFLINE', `Offline mode is on, and ${unknown.join(', ')} is not a file of ${what}.`);
    const missing = files.filter((f) => !snapshotMatches(dir, commit, f)).map((f) => f.path);
    if (missing.length) {
      const list = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
      throw new HubError(
        'OFFLINE',
        `Offline mode is on, and ${missing.length} of the ${files.length} files of ${what} are not in the cache: ${list}. Go online to download them.`,
      );
    }
    if (files.length === 0) throw new HubError('OFFLINE', `Offline mode is on, and no file of ${what} matches.`);
    return { commit, files };
  }
  const missing = wanted.filter((p) => !present.has(p));
  if (missing.length) throw new HubError('OFFLINE', `Offline mode is on, and ${missing.join(', ')} of ${what} is not in the cache.`);
  const picked = [...present].filter(chosen);
  if (picked.length === 0) throw new HubError('OFFLINE', `Offline mode is on, and no cached file of ${what} matches.`);
  return {
    commit,
    files: picked.map((p) => {
      const full = path.join(snapshot, ...p.split('/'));
      const target = fs.lstatSync(full).isSymbolicLink() ? path.basename(fs.readlinkSync(full)) : '';
      return { path: p, size: fs.statSync(full).size, etag: target, lfs: target.length === 64 };
    }),
  };
}

function listSnapshot(snapshot: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(snapshot, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listSnapshot(snapshot, rel));
    else out.push(rel);
  }
  return out;
}
