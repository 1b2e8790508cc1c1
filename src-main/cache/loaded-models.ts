/**
 * Models loaded now (Chat and the Local API share one engine) run from files of the cache: a
 * delete that would take one of those files away is named in the preview and refused, so the
 * engine never reads from a file that went away under it. The user unloads the model first.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DeletePlan } from './delete-plan';
import type { CacheScan } from './scan';

/** A loaded model: the file it runs from (a snapshot file, its blob, or a file outside the cache) and its name; `loading` while still being loaded. */
export interface LoadedFile {
  path: string;
  name: string;
  loading?: boolean;
}

/** A loaded (or loading) model a plan would take away, with the revision it runs from (`org/model@main`). */
export interface LoadedHit {
  name: string;
  revision: string;
  loading?: boolean;
}

function real(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

const inside = (p: string, dir: string) => p === dir || p.startsWith(dir + path.sep);

/** The revision of the cache a file belongs to (its snapshot folder, or a blob one of its files leads to), or null. */
function revisionOf(scan: CacheScan, file: string): { repo: CacheScan['repos'][number]; rev: CacheScan['repos'][number]['revisions'][number] } | null {
  const given = path.resolve(file);
  const target = real(file);
  for (const repo of scan.repos) {
    if (!inside(given, path.resolve(repo.path)) && !inside(target, real(repo.path))) continue;
    for (const rev of repo.revisions) {
      if (inside(given, path.resolve(rev.snapshotPath))) return { repo, rev };
    }
    for (const rev of repo.revisions) {
      if (rev.files.some((f) => real(f.blobPath) === target)) return { repo, rev };
    }
  }
  return null;
}

/** Snapshot folders loaded models run from: kept out of cleanups (a prune of detached revisions). */
export function loadedSnapshots(scan: CacheScan, loaded: readonly LoadedFile[]): string[] {
  return loaded.flatMap((m) => revisionOf(scan, m.path)?.rev.snapshotPath ?? []);
}

/**
 * The loaded models a plan takes away: their file lies in a repo folder or snapshot it removes, or
 * is a blob (or a file it removes) once its links are followed. A blob another revision keeps stays.
 */
export function loadedHits(scan: CacheScan, plan: DeletePlan, loaded: readonly LoadedFile[]): LoadedHit[] {
  const hits: LoadedHit[] = [];
  for (const m of loaded) {
    const given = path.resolve(m.path);
    const target = real(m.path);
    const folders = [...plan.repos, ...plan.snapshots].map((d) => path.resolve(d));
    const files = new Set([...plan.blobs, ...plan.loose].map(real));
    const gone = folders.some((d) => inside(given, d) || inside(target, real(d))) || files.has(target);
    if (!gone) continue;
    const at = revisionOf(scan, m.path);
    const revision = at ? `${at.repo.id}@${at.rev.refs[0] ?? at.rev.commit.slice(0, 8)}` : path.basename(m.path);
    hits.push({ name: m.name, revision, ...(m.loading ? { loading: true } : {}) });
  }
  return hits;
}
