/**
 * The cache as the UI sees it: an overview without per-file detail (a cache of 30,000 files stays a
 * small message), files of one revision on demand, and delete plans that are always recomputed
 * from a fresh scan in the core, never from paths the renderer sends.
 */
import fs from 'node:fs';
import type { CacheFileView, CacheOverview, DeletePlanView } from '../contract/downloads';
import type { DeleteTargetInput } from '../contract/api';
import { ApiError } from '../contract/errors';
import { executePlan, planDeletion, repoLabel, type DeletePlan, type DeleteTarget } from './delete-plan';
import { scanCache, type CacheScan, type CachedRepo } from './scan';
import { verifyRepo } from './verify';

export function overview(scan: CacheScan, activeIncomplete: ReadonlySet<string>): CacheOverview {
  return {
    root: scan.root,
    exists: scan.exists,
    sizeOnDisk: scan.sizeOnDisk,
    repos: scan.repos.map((r) => ({
      key: repoLabel(r),
      type: r.type,
      id: r.id,
      path: r.path,
      sizeOnDisk: r.sizeOnDisk,
      nbFiles: r.nbFiles,
      lastAccessed: r.lastAccessed,
      lastModified: r.lastModified,
      revisions: r.revisions.map((v) => ({ commit: v.commit, refs: v.refs, sizeOnDisk: v.sizeOnDisk, nbFiles: v.nbFiles, lastModified: v.lastModified })),
    })),
    warnings: scan.warnings,
    incomplete: scan.incomplete.map((f) => ({ path: f.path, repo: f.repo, size: f.size, lastModified: f.lastModified, active: activeIncomplete.has(f.path) })),
    orphans: scan.orphans.map((f) => ({ path: f.path, repo: f.repo, size: f.size, lastModified: f.lastModified })),
    scannedAt: scan.scannedAt,
  };
}

export function findRepo(scan: CacheScan, key: string): CachedRepo {
  const repo = scan.repos.find((r) => repoLabel(r) === key);
  if (!repo) throw new ApiError('NOT_FOUND', `${key.replace(/^\w+:/, '')} is no longer in the cache.`);
  return repo;
}

export function revisionFiles(scan: CacheScan, key: string, commit: string): CacheFileView[] {
  const rev = findRepo(scan, key).revisions.find((r) => r.commit === commit);
  if (!rev) throw new ApiError('NOT_FOUND', 'That revision is no longer in the cache.');
  return rev.files.map((f) => ({ path: f.path, size: f.size, linked: f.linked, lastAccessed: f.lastAccessed }));
}

function toTargets(targets: DeleteTargetInput[], active: ReadonlySet<string>): DeleteTarget[] {
  return targets.map((t) => (t.kind === 'incomplete' ? { kind: 'incomplete', exclude: [...active] } : t));
}

function view(plan: DeletePlan): DeletePlanView {
  return {
    freedBytes: plan.freedBytes,
    summary: plan.summary,
    counts: { repos: plan.repos.length, revisions: plan.snapshots.length, blobs: plan.blobs.length, files: plan.loose.length },
  };
}

export function planDelete(root: string, targets: DeleteTargetInput[], active: ReadonlySet<string>): DeletePlanView {
  return view(planDeletion(scanCache(root), toTargets(targets, active)));
}

export function deleteFromCache(root: string, targets: DeleteTargetInput[], active: ReadonlySet<string>): DeletePlanView & { errors: string[] } {
  const plan = planDeletion(scanCache(root), toTargets(targets, active));
  const result = executePlan(root, plan);
  return { ...view(plan), errors: result.errors };
}

/**
 * Repairs a repo after verify: corrupt blobs are deleted (a same-size blob would otherwise pass as
 * present) and the affected files are returned per commit, for the caller to download again.
 */
export async function removeCorruptBlobs(root: string, key: string): Promise<{ repo: CachedRepo; refetch: { commit: string; files: string[] }[] }> {
  const repo = findRepo(scanCache(root), key);
  const checks = await verifyRepo(repo);
  const bad = new Set(checks.filter((c) => !c.ok).map((c) => c.blobPath));
  const refetch: { commit: string; files: string[] }[] = [];
  for (const rev of repo.revisions) {
    const files = rev.files.filter((f) => bad.has(f.blobPath)).map((f) => f.path);
    if (files.length) refetch.push({ commit: rev.commit, files });
  }
  for (const blob of bad) await fs.promises.rm(blob, { force: true });
  return { repo, refetch };
}

export async function verify(root: string, key: string): Promise<{ checked: number; corrupt: { etag: string; files: string[] }[] }> {
  const checks = await verifyRepo(findRepo(scanCache(root), key));
  return { checked: checks.length, corrupt: checks.filter((c) => !c.ok).map((c) => ({ etag: c.etag, files: c.files })) };
}
