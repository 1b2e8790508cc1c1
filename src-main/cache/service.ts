/**
 * The cache as the UI sees it: an overview without per-file detail (a cache of 30,000 files stays a
 * small message), files of one revision on demand, and delete plans that are always recomputed
 * from a fresh scan in the core, never from paths the renderer sends. Whether an unfinished
 * download is being written right now is asked of its lock (so Python and other Hubcaps count),
 * and, for tools that take no lock, of how recently it changed.
 */
import type { CacheFileView, CacheOverview, DeletePlanView, DeleteTargetInput, VerifyView } from '../contract/cache';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { isLockHeld, blobLockPath } from './blob-lock';
import { executePlan, outsideUsesOf, planDeletion, type DeletePlan, type DeleteTarget, type OutsideUse } from './delete-plan';
import { loadedHits, loadedSnapshots, type LoadedFile, type LoadedHit } from './loaded-models';
import { findCachedRepo, scanCache, type CacheScan, type CachedFile, type CachedRepo } from './scan';
import { parseRepoSpec, repoKey } from '../contract/keys';
import { verifyRepo, type ExpectedHashes } from './verify';
import { cacheFsKind } from './fs-kind';

/** A partial unchanged for this long, whose lock is free, is stale. */
export const STALE_AFTER_MS = 60_000;

/** The unfinished downloads someone is writing now (their lock is held, or they just changed). */
export async function activePartials(scan: CacheScan, now = Date.now()): Promise<Set<string>> {
  const active = new Set<string>();
  for (const f of scan.incomplete) {
    if (now - f.lastModified < STALE_AFTER_MS || (await isLockHeld(blobLockPath(scan.root, f.repoFolder, f.etag)))) active.add(f.path);
  }
  return active;
}

export function overview(scan: CacheScan, activeIncomplete: ReadonlySet<string>): CacheOverview {
  return {
    root: scan.root,
    exists: scan.exists,
    sizeOnDisk: scan.sizeOnDisk,
    store: {
      state: scan.store.state,
      path: scan.store.path,
      payloads: scan.store.payloads,
      bytes: scan.store.bytes,
      sharedBytes: scan.store.sharedBytes,
      unlinked: scan.store.unlinked.map((p) => ({ path: p.path, size: p.size, lastModified: p.lastModified })),
    },
    repos: scan.repos.map((r) => {
      const uses = new Map<string, number>();
      for (const v of r.revisions) for (const b of new Set(v.files.map((f) => f.blobPath))) uses.set(b, (uses.get(b) ?? 0) + 1);
      // A payload other repos link to is not this revision's alone, however few of its revisions use it.
      const sharedOut = (f: CachedFile) => (f.storePath ? (scan.store.users.get(f.storePath)?.size ?? 0) > 1 : false);
      const unique = (v: (typeof r.revisions)[number]) => {
        const sizes = new Map(v.files.filter((f) => !sharedOut(f)).map((f) => [f.blobPath, f.size]));
        return [...sizes].reduce((a, [b, size]) => a + (uses.get(b) === 1 ? size : 0), 0);
      };
      return {
        key: repoKey(r),
        type: r.type,
        id: r.id,
        path: r.path,
        sizeOnDisk: r.sizeOnDisk,
        sharedBytes: r.sharedBytes,
        sharedWith: r.sharedWith,
        nbFiles: r.nbFiles,
        lastAccessed: r.lastAccessed,
        lastModified: r.lastModified,
        revisions: r.revisions.map((v) => ({
          commit: v.commit,
          refs: v.refs,
          snapshotPath: v.snapshotPath,
          sizeOnDisk: v.sizeOnDisk,
          uniqueBytes: unique(v),
          nbFiles: v.nbFiles,
          lastModified: v.lastModified,
        })),
      };
    }),
    warnings: scan.warnings,
    incomplete: scan.incomplete.map((f) => ({ path: f.path, repo: f.repo, size: f.size, lastModified: f.lastModified, active: activeIncomplete.has(f.path) })),
    orphans: scan.orphans.map((f) => ({ path: f.path, repo: f.repo, size: f.size, lastModified: f.lastModified })),
    scannedAt: scan.scannedAt,
  };
}

export function findRepo(scan: CacheScan, spec: string): CachedRepo {
  const repo = findCachedRepo(scan, spec);
  if (!repo) throw new ApiError('NOT_FOUND', `${parseRepoSpec(spec)?.id ?? spec} is no longer in the cache.`);
  return repo;
}

export function revisionFiles(scan: CacheScan, key: string, commit: string): CacheFileView[] {
  const rev = findRepo(scan, key).revisions.find((r) => r.commit === commit);
  if (!rev) throw new ApiError('NOT_FOUND', 'That revision is no longer in the cache.');
  return rev.files.map((f) => ({
    path: f.path,
    size: f.size,
    blob: path.relative(scan.root, f.blobPath),
    ...(f.storePath ? { payload: path.relative(scan.root, f.storePath) } : {}),
    linked: f.linked,
    lastAccessed: f.lastAccessed,
    ...(f.hardLinks ? { hardLinks: f.hardLinks } : {}),
    ...(f.storePath ? { shared: true } : {}),
  }));
}

/** What is in use and must survive any cleanup: partials being written, snapshots being filled, files loaded models run from. */
export interface InUse {
  partials: ReadonlySet<string>;
  snapshots: readonly string[];
  loaded?: readonly LoadedFile[];
}

function toTargets(scan: CacheScan, targets: DeleteTargetInput[], inUse: InUse): DeleteTarget[] {
  return targets.map((t) =>
    t.kind === 'incomplete'
      ? { kind: 'incomplete', exclude: [...inUse.partials] }
      : t.kind === 'detached'
        ? { kind: 'detached', exclude: [...inUse.snapshots, ...loadedSnapshots(scan, inUse.loaded ?? [])] }
        : t,
  );
}

function view(plan: DeletePlan, usedElsewhere: OutsideUse[], loaded: LoadedHit[]): DeletePlanView {
  return {
    freedBytes: plan.freedBytes,
    summary: plan.summary,
    kept: plan.kept,
    counts: { repos: plan.repos.length, revisions: plan.snapshots.length, blobs: plan.blobs.length, files: plan.loose.length },
    ...(usedElsewhere.length ? { usedElsewhere: usedElsewhere.map((u) => ({ label: u.label, files: u.files, symlinks: u.symlinks })) } : {}),
    ...(loaded.length ? { loaded: loaded.map((m) => ({ name: m.name, revision: m.revision })) } : {}),
  };
}

/** `outside`: where revisions are also used (exports to other apps' folders), counted in the preview. */
export function planDelete(scan: CacheScan, targets: DeleteTargetInput[], inUse: InUse, outside: readonly OutsideUse[] = []): DeletePlanView {
  const plan = planDeletion(scan, toTargets(scan, targets, inUse), { sharedFs: cacheFsKind(scan.root) });
  return view(plan, outsideUsesOf(scan, plan, outside), loadedHits(scan, plan, inUse.loaded ?? []));
}

/**
 * Runs the plan; what it says it freed is what the disk lost. Refused, with the reason, while an
 * unfinished download inside a repo being deleted is being written (by us, Python or anyone), or
 * while a loaded model runs from what it deletes.
 */
export async function deleteFromCache(
  scan: CacheScan,
  targets: DeleteTargetInput[],
  inUse: InUse,
  outside: readonly OutsideUse[] = [],
): Promise<DeletePlanView & { errors: string[] }> {
  const plan = planDeletion(scan, toTargets(scan, targets, inUse), { sharedFs: cacheFsKind(scan.root) });
  const loaded = loadedHits(scan, plan, inUse.loaded ?? []);
  const first = loaded[0];
  if (first)
    throw new ApiError(
      'BUSY',
      first.loading
        ? `${first.name} is loading (Chat and the Local API will run it) from ${first.revision}: nothing was deleted. Wait for it to load and unload it, then delete again.`
        : `${first.name} is loaded (Chat and the Local API run it) from ${first.revision}: nothing was deleted. Unload it first, then delete again.`,
    );
  const writing = scan.incomplete.find((f) => inUse.partials.has(f.path) && plan.repos.some((r) => f.path.startsWith(r + path.sep)));
  if (writing)
    throw new ApiError(
      'BUSY',
      `${writing.repo.replace(/^\w+:/, '')} is being downloaded into right now (${path.basename(writing.path)} is being written): nothing was deleted. Let the download finish, then delete again.`,
    );
  const result = await executePlan(scan.root, plan);
  return { ...view(plan, outsideUsesOf(scan, plan, outside), loaded), freedBytes: result.freedBytes, errors: result.errors };
}

export async function verify(root: string, key: string, expected?: ExpectedHashes): Promise<VerifyView> {
  const result = await verifyRepo(findRepo(scanCache(root), key), expected ? { expected } : {});
  return {
    checked: result.checks.length,
    corrupt: result.checks.filter((c) => !c.ok).map((c) => ({ etag: c.etag, files: c.files, uses: c.uses, ...(c.hardLinked ? { changedInPlace: true } : {}) })),
    unverifiable: result.unverifiable,
  };
}

/**
 * What a repair downloads again: per commit, exactly the files whose bytes do not match. Nothing is
 * deleted first: the new blob replaces the corrupt one atomically when it has been verified.
 */
export async function repairPlan(
  root: string,
  key: string,
  expected?: ExpectedHashes,
): Promise<{ repo: CachedRepo; refetch: { commit: string; files: string[] }[] }> {
  const repo = findRepo(scanCache(root), key);
  const { checks } = await verifyRepo(repo, expected ? { expected } : {});
  const byCommit = new Map<string, string[]>();
  for (const c of checks.filter((x) => !x.ok)) {
    for (const u of c.uses) byCommit.set(u.commit, [...(byCommit.get(u.commit) ?? []), u.path]);
  }
  return { repo, refetch: [...byCommit].map(([commit, files]) => ({ commit, files })) };
}
