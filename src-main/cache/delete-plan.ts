/**
 * Deleting from the cache is planned first, then executed (huggingface_hub's plan-then-execute,
 * docs/hub-protocol.md §1.10); the dry run is the same plan. A plan frees exactly the blobs that only
 * the deleted revisions use. Execution removes repos, snapshots, refs, then blobs, and refuses any
 * path outside the cache root; it never follows a link (rm removes links, not their targets).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { plural } from '../contract/present/format';
import { repoKey } from '../contract/keys';
import { findCachedRepo, type CacheScan, type CachedRepo } from './scan';
import { readTreeRecord } from './tree-record';

export type DeleteTarget =
  | { kind: 'repo'; repo: string }
  | { kind: 'revision'; repo: string; commit: string }
  | { kind: 'orphans' }
  /** Unfinished downloads, except the ones being written now. */
  | { kind: 'incomplete'; exclude?: string[] }
  /** Revisions no ref points at (what `hf cache prune` removes), except snapshot folders in use. */
  | { kind: 'detached'; exclude?: string[] };

export interface DeletePlan {
  /** Whole repo folders. */
  repos: string[];
  snapshots: string[];
  refs: string[];
  blobs: string[];
  /** Loose files: orphan blobs and .incomplete files. */
  loose: string[];
  freedBytes: number;
  summary: { label: string; bytes: number }[];
}

function findRepo(scan: CacheScan, spec: string): CachedRepo {
  const repo = findCachedRepo(scan, spec);
  if (!repo) throw new ApiError('NOT_FOUND', `${spec} is not in the cache.`);
  return repo;
}

export function planDeletion(scan: CacheScan, targets: DeleteTarget[]): DeletePlan {
  const plan: DeletePlan = { repos: [], snapshots: [], refs: [], blobs: [], loose: [], freedBytes: 0, summary: [] };
  const byRepo = new Map<CachedRepo, Set<string>>();
  const wholeRepos = new Set<CachedRepo>();
  for (const t of targets) {
    if (t.kind === 'repo') wholeRepos.add(findRepo(scan, t.repo));
    else if (t.kind === 'revision') {
      const repo = findRepo(scan, t.repo);
      const rev = repo.revisions.find((r) => r.commit === t.commit || r.commit.startsWith(t.commit) || r.refs.includes(t.commit));
      if (!rev) throw new ApiError('NOT_FOUND', `${t.commit} is not a cached revision of ${repo.id}.`);
      const set = byRepo.get(repo) ?? new Set<string>();
      set.add(rev.commit);
      byRepo.set(repo, set);
    } else if (t.kind === 'orphans') {
      for (const o of scan.orphans) {
        plan.loose.push(o.path);
        plan.freedBytes += o.size;
      }
      plan.summary.push({ label: plural(scan.orphans.length, 'orphan blob'), bytes: scan.orphans.reduce((a, o) => a + o.size, 0) });
    } else if (t.kind === 'detached') {
      const skip = new Set(t.exclude ?? []);
      for (const repo of scan.repos) {
        for (const rev of repo.revisions) {
          if (rev.refs.length || skip.has(rev.snapshotPath)) continue;
          const set = byRepo.get(repo) ?? new Set<string>();
          set.add(rev.commit);
          byRepo.set(repo, set);
        }
      }
    } else {
      const skip = new Set(t.exclude ?? []);
      const files = scan.incomplete.filter((f) => !skip.has(f.path));
      for (const f of files) {
        plan.loose.push(f.path);
        plan.freedBytes += f.size;
      }
      // One line per file, named after the file it would have become where the cache knows it.
      const names = fileNamesByEtag(scan);
      for (const f of files.slice(0, 50)) {
        const name = names.get(`${f.repo}|${f.etag}`);
        plan.summary.push({ label: `unfinished download of ${name ?? `${f.etag.slice(0, 12)}…`} in ${f.repo.replace(/^\w+:/, '')}`, bytes: f.size });
      }
      if (files.length > 50)
        plan.summary.push({ label: `${plural(files.length - 50, 'more unfinished download')}`, bytes: files.slice(50).reduce((a, f) => a + f.size, 0) });
    }
  }
  for (const [repo, commits] of byRepo) {
    if (commits.size === repo.revisions.length) wholeRepos.add(repo);
  }
  for (const repo of wholeRepos) {
    plan.repos.push(repo.path);
    plan.freedBytes += repo.sizeOnDisk;
    plan.summary.push({ label: repo.id, bytes: repo.sizeOnDisk });
    byRepo.delete(repo);
  }
  for (const [repo, commits] of byRepo) {
    const keptBlobs = new Set<string>();
    for (const rev of repo.revisions) if (!commits.has(rev.commit)) for (const f of rev.files) keptBlobs.add(f.blobPath);
    const freed = new Map<string, number>();
    for (const rev of repo.revisions) {
      if (!commits.has(rev.commit)) continue;
      plan.snapshots.push(rev.snapshotPath);
      for (const ref of rev.refs) plan.refs.push(path.join(repo.path, 'refs', ...ref.split('/')));
      for (const f of rev.files) {
        if (keptBlobs.has(f.blobPath)) continue;
        freed.set(f.blobPath, f.size);
        // Copies stored in the snapshot go with its folder; only real blobs are removed separately.
        if (f.linked) plan.blobs.push(f.blobPath);
      }
      plan.summary.push({ label: `${repo.id}@${rev.refs[0] ?? rev.commit.slice(0, 8)}`, bytes: 0 });
    }
    const bytes = [...freed.values()].reduce((a, b) => a + b, 0);
    plan.freedBytes += bytes;
    const last = plan.summary.at(-1);
    if (last) last.bytes += bytes;
  }
  plan.blobs = [...new Set(plan.blobs)];
  return plan;
}

/** `type:id|etag` → a file name, from the snapshots and the recorded listings (trees/). */
function fileNamesByEtag(scan: CacheScan): Map<string, string> {
  const out = new Map<string, string>();
  const wanted = new Set(scan.incomplete.map((f) => f.repo));
  for (const repo of scan.repos) {
    const label = repoKey(repo);
    if (!wanted.has(label)) continue;
    for (const rev of repo.revisions) for (const f of rev.files) out.set(`${label}|${path.basename(f.blobPath)}`, f.path);
    const trees = path.join(repo.path, 'trees');
    for (const name of (fs.existsSync(trees) ? fs.readdirSync(trees) : []).slice(0, 50)) {
      const record = readTreeRecord(repo.path, name.replace(/\.json$/, ''));
      for (const [p, r] of record ?? []) if (!out.has(`${label}|${r.etag}`)) out.set(`${label}|${r.etag}`, p);
    }
  }
  return out;
}

function assertInside(root: string, p: string): void {
  const realRoot = fs.realpathSync(root);
  const parent = fs.realpathSync(path.dirname(p));
  const full = path.join(parent, path.basename(p));
  if (!full.startsWith(realRoot + path.sep)) throw new ApiError('INVALID_PATH', `Refusing to delete ${p}: it is outside the cache.`);
}

export interface ExecuteResult {
  deleted: number;
  freedBytes: number;
  errors: string[];
}

export function executePlan(root: string, plan: DeletePlan): ExecuteResult {
  const result: ExecuteResult = { deleted: 0, freedBytes: plan.freedBytes, errors: [] };
  const order = [...plan.repos, ...plan.snapshots, ...plan.refs, ...plan.blobs, ...plan.loose];
  for (const p of order) {
    try {
      if (!fs.existsSync(path.dirname(p))) continue;
      assertInside(root, p);
      fs.rmSync(p, { recursive: true, force: true });
      result.deleted += 1;
    } catch (error) {
      result.errors.push(`${p}: ${(error as Error).message}`);
    }
  }
  // Empty folders left under a repo's refs/ (PR refs live in refs/refs/pr/) are tidied up, up to refs/ itself.
  for (const ref of plan.refs) {
    const repoFolder = path.relative(root, ref).split(path.sep)[0];
    if (!repoFolder || repoFolder === '..') continue;
    const refsDir = path.join(root, repoFolder, 'refs');
    let dir = path.dirname(ref);
    while (dir !== refsDir && dir.startsWith(refsDir + path.sep)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        break;
      }
      dir = path.dirname(dir);
    }
  }
  return result;
}
