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
import { findCachedRepo, type CacheScan, type CachedFile, type CachedRepo } from './scan';
import { payloadFates } from './store-plan';
import type { FsKind } from './fs-kind';
import { sweepPayload } from './store-write';
import { tryLockFile, type HeldLock } from './blob-lock';
import { readTreeRecord } from './tree-record';
import { CACHE_NAMES, locksDir, refsDir, treesDir } from './layout';

export type DeleteTarget =
  | { kind: 'repo'; repo: string }
  | { kind: 'revision'; repo: string; commit: string }
  | { kind: 'orphans' }
  /** Shared-store payloads no repo links to (what `hf cache prune` collects). */
  | { kind: 'store' }
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
  /** Shared-store payloads to sweep afterwards (each under its lock; collected only if nothing leads to it). */
  payloads: { path: string; keepLinks: string[]; freedSize: number }[];
  freedBytes: number;
  summary: { label: string; bytes: number }[];
  /** What the deletion leaves on disk, and why (shared payloads, hard-linked blobs, unreadable manifests). */
  kept: { label: string; bytes: number }[];
  /** Lock files of what is deleted: taken for the whole deletion (a writer holding one makes it refuse). */
  locks: string[];
}

function findRepo(scan: CacheScan, spec: string): CachedRepo {
  const repo = findCachedRepo(scan, spec);
  if (!repo) throw new ApiError('NOT_FOUND', `${spec} is not in the cache.`);
  return repo;
}

/** Bytes a set of removed files frees in the repo folder itself, and what stays because of hard links. */
interface Freed {
  label: string;
  local: number;
  hard: number;
  payloads: Set<string>;
  /** Left out of the summary when it frees nothing (the store sweep of a prune). */
  optional?: boolean;
}

function tally(entry: Freed, f: CachedFile, removedLinks: Set<string>): void {
  if (f.storePath) {
    removedLinks.add(path.resolve(f.blobPath));
    entry.payloads.add(f.storePath);
  } else if (f.hardLinks) entry.hard += f.size;
  else entry.local += f.size;
}

export interface PlanOptions {
  /** The cache's file system when locks may not reach other machines (NFS, SMB, FUSE…): payloads are collected only by an explicit prune. */
  sharedFs?: FsKind;
}

export function planDeletion(scan: CacheScan, targets: DeleteTarget[], opts: PlanOptions = {}): DeletePlan {
  const plan: DeletePlan = { repos: [], snapshots: [], refs: [], blobs: [], loose: [], payloads: [], freedBytes: 0, summary: [], kept: [], locks: [] };
  const byRepo = new Map<CachedRepo, Set<string>>();
  const wholeRepos = new Set<CachedRepo>();
  const entries: Freed[] = [];
  const removedLinks = new Set<string>();
  const lockDir = (repo: { folder: string }) => locksDir(scan.root, repo.folder);
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
      const entry: Freed = { label: plural(scan.orphans.length, 'orphan blob'), local: 0, hard: 0, payloads: new Set() };
      for (const o of scan.orphans) {
        plan.loose.push(o.path);
        if (o.storePath) {
          removedLinks.add(path.resolve(o.path));
          entry.payloads.add(o.storePath);
        } else entry.local += o.size;
      }
      entries.push(entry);
    } else if (t.kind === 'store') {
      // Payloads no repo links to: collected when their manifest is readable and lists nothing live.
      const unlinked = scan.store.unlinked;
      entries.push({
        label: plural(unlinked.length, 'unused shared-store payload'),
        local: 0,
        hard: 0,
        payloads: new Set(unlinked.map((u) => u.path)),
        optional: true,
      });
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
      planIncomplete(scan, t.exclude ?? [], plan);
    }
  }
  for (const [repo, commits] of byRepo) {
    if (commits.size === repo.revisions.length) wholeRepos.add(repo);
  }
  for (const repo of wholeRepos) {
    plan.repos.push(repo.path);
    plan.locks.push(lockDir(repo));
    const entry: Freed = { label: repo.id, local: 0, hard: 0, payloads: new Set() };
    const seen = new Set<string>();
    for (const rev of repo.revisions) for (const f of rev.files) if (!seen.has(f.blobPath) && seen.add(f.blobPath)) tally(entry, f, removedLinks);
    // Its orphan links into the store go with the folder too.
    for (const o of scan.orphans) if (o.repoFolder === repo.folder && o.storePath) removedLinks.add(path.resolve(o.path));
    entries.push(entry);
    byRepo.delete(repo);
  }
  for (const [repo, commits] of byRepo) {
    const keptBlobs = new Set<string>();
    for (const rev of repo.revisions) if (!commits.has(rev.commit)) for (const f of rev.files) keptBlobs.add(f.blobPath);
    const freed = new Map<string, CachedFile>();
    const labels: string[] = [];
    for (const rev of repo.revisions) {
      if (!commits.has(rev.commit)) continue;
      plan.snapshots.push(rev.snapshotPath);
      for (const ref of rev.refs) plan.refs.push(path.join(refsDir(repo.path), ...ref.split('/')));
      for (const f of rev.files) {
        if (keptBlobs.has(f.blobPath)) continue;
        freed.set(f.blobPath, f);
        // Copies stored in the snapshot go with its folder; only real blobs (and store links) are removed separately.
        if (f.linked) {
          plan.blobs.push(f.blobPath);
          plan.locks.push(path.join(lockDir(repo), `${path.basename(f.blobPath)}${CACHE_NAMES.lock}`));
        }
      }
      labels.push(`${repo.id}@${rev.refs[0] ?? rev.commit.slice(0, 8)}`);
    }
    // One line per revision, the repo's freed bytes on the last (as before the store existed).
    for (const label of labels.slice(0, -1)) plan.summary.push({ label, bytes: 0 });
    const entry: Freed = { label: labels.at(-1) ?? repo.id, local: 0, hard: 0, payloads: new Set() };
    for (const f of freed.values()) tally(entry, f, removedLinks);
    entries.push(entry);
  }
  settle(scan, plan, entries, removedLinks, opts.sharedFs?.shared ? opts.sharedFs.type : null);
  plan.blobs = [...new Set(plan.blobs)];
  plan.locks = [...new Set(plan.locks)];
  return plan;
}

/** A place outside the cache that uses a revision's files (an export to another app's folder); its records live above the cache. */
export interface OutsideUse {
  repo: string;
  commit: string;
  label: string;
  /** Files still at their place there, and how many of them are symlinks into this revision. */
  files: number;
  symlinks: number;
}

/** The outside uses a plan reaches: their symlinks break when the revision goes; clones, copies and hard links keep their bytes. */
export function outsideUsesOf(scan: CacheScan, plan: DeletePlan, uses: readonly OutsideUse[]): OutsideUse[] {
  return uses.filter((u) => {
    const repo = findCachedRepo(scan, u.repo);
    const rev = repo?.revisions.find((r) => r.commit === u.commit);
    return u.files > 0 && repo !== null && rev !== undefined && (plan.repos.includes(repo.path) || plan.snapshots.includes(rev.snapshotPath));
  });
}

/** Each entry's bytes: its own files, plus the payloads that become free (each counted once, on its first entry). */
function settle(scan: CacheScan, plan: DeletePlan, entries: Freed[], removedLinks: Set<string>, sharedFs: string | null): void {
  const fates = new Map(
    payloadFates(
      scan,
      removedLinks,
      entries.flatMap((e) => [...e.payloads]),
    ).map((f) => [f.payload, f]),
  );
  const counted = new Set<string>();
  let sharedKept = 0;
  let unknownKept = 0;
  let leftForPrune = 0;
  for (const e of entries) {
    let bytes = e.local;
    if (sharedFs && e.optional && e.payloads.size)
      e.label += ` (collected because you asked: this cache is on ${sharedFs}, where another machine's locks are not seen)`;
    for (const p of e.payloads) {
      const fate = fates.get(p);
      if (!fate || counted.has(p)) continue;
      counted.add(p);
      // On a network file system a delete never collects payloads by itself: another machine may be linking them now.
      if (sharedFs && !e.optional) {
        if (fate.freed) leftForPrune += fate.size;
        else if (fate.why === 'shared') sharedKept += fate.size;
        else unknownKept += fate.size;
        continue;
      }
      plan.payloads.push({ path: p, keepLinks: fate.remaining, freedSize: fate.freed ? fate.size : 0 });
      if (fate.freed) bytes += fate.size;
      else if (fate.why === 'shared') sharedKept += fate.size;
      else unknownKept += fate.size;
    }
    if (e.optional && bytes === 0) continue;
    plan.summary.push({ label: e.label, bytes });
    plan.freedBytes += bytes;
    if (e.hard) plan.kept.push({ label: `${e.label}: hard-linked to a file outside the cache (the other name keeps the bytes)`, bytes: e.hard });
  }
  if (sharedKept) plan.kept.push({ label: 'shared-store payloads other repos still use', bytes: sharedKept });
  if (leftForPrune)
    plan.kept.push({
      label: `shared-store payloads left for \`hubcap cache prune\`: this cache is on ${sharedFs}, where another machine may be linking them right now, so they are collected only when you ask`,
      bytes: leftForPrune,
    });
  if (unknownKept)
    plan.kept.push({ label: 'shared-store payloads whose manifest is missing or unreadable (kept rather than risk a loss)', bytes: unknownKept });
}

function planIncomplete(scan: CacheScan, exclude: string[], plan: DeletePlan): void {
  const skip = new Set(exclude);
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

/** `type:id|etag` → a file name, from the snapshots and the recorded listings (trees/). */
function fileNamesByEtag(scan: CacheScan): Map<string, string> {
  const out = new Map<string, string>();
  const wanted = new Set(scan.incomplete.map((f) => f.repo));
  for (const repo of scan.repos) {
    const label = repoKey(repo);
    if (!wanted.has(label)) continue;
    for (const rev of repo.revisions) for (const f of rev.files) out.set(`${label}|${path.basename(f.blobPath)}`, f.path);
    const trees = treesDir(repo.path);
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

/**
 * Runs a plan under the locks Python takes: every lock of what is deleted (a repo's `.locks/<folder>/`,
 * a blob's `<etag>.lock`) is taken, without waiting, for the whole deletion, so a download into it
 * cannot start meanwhile, and one already running makes it refuse with the reason; then files go
 * (links before what they lead to), then each touched payload is swept under its own lock.
 */
export async function executePlan(root: string, plan: DeletePlan): Promise<ExecuteResult> {
  const held = await takeLocks(plan.locks);
  try {
    const result: ExecuteResult = { deleted: 0, freedBytes: 0, errors: [] };
    const order = [...plan.repos, ...plan.snapshots, ...plan.refs, ...plan.blobs, ...plan.loose];
    for (const p of order) {
      try {
        if (!fs.existsSync(path.dirname(p))) continue;
        assertInside(root, p);
        const st = fs.lstatSync(p, { throwIfNoEntry: false });
        fs.rmSync(p, { recursive: true, force: true });
        if (st) result.deleted += 1;
      } catch (error) {
        result.errors.push(`${p}: ${(error as Error).message}`);
      }
    }
    tidyRefs(root, plan.refs);
    // What the folders held alone, as planned; the store's share is what its sweeps really free.
    const storePlanned = plan.payloads.length ? await sweepAll(root, plan, result) : 0;
    result.freedBytes += plan.freedBytes - storePlanned;
    return result;
  } finally {
    for (const l of held) await l.release().catch(() => undefined);
  }
}

/** Sweeps every touched payload; returns the bytes the plan had counted for them. */
async function sweepAll(root: string, plan: DeletePlan, result: ExecuteResult): Promise<number> {
  let planned = 0;
  for (const p of plan.payloads) {
    planned += p.freedSize;
    try {
      const { outcome, freed } = await sweepPayload(root, p.path, p.keepLinks);
      result.freedBytes += freed;
      if (outcome === 'collected') result.deleted += 1;
    } catch (error) {
      result.errors.push(`${p.path}: ${(error as Error).message}`);
    }
  }
  return planned;
}

/** Lock files below the given folders (a repo's) or the files themselves (a blob's); refuses when one is held. */
async function takeLocks(paths: string[]): Promise<HeldLock[]> {
  const held: HeldLock[] = [];
  const files: string[] = [];
  for (const p of paths) {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory())
      for (const e of fs.readdirSync(p, { withFileTypes: true })) if (e.isFile() && e.name.endsWith(CACHE_NAMES.lock)) files.push(path.join(p, e.name));
    if (!st && !p.endsWith(CACHE_NAMES.lock)) continue;
    if (!st || st.isFile()) files.push(p);
  }
  try {
    for (const f of files) {
      const lock = await tryLockFile(f);
      if (!lock)
        throw new ApiError(
          'BUSY',
          `Another program (Python, or a second Hubcap) is downloading into this right now (it holds ${path.basename(path.dirname(f))}/${path.basename(f)}): nothing was deleted. Let it finish, then delete again.`,
        );
      held.push(lock);
    }
    return held;
  } catch (error) {
    for (const l of held) await l.release().catch(() => undefined);
    throw error;
  }
}

/** Empty folders left under a repo's refs/ (PR refs live in refs/refs/pr/) are tidied up, up to refs/ itself. */
function tidyRefs(root: string, refs: string[]): void {
  for (const ref of refs) {
    const repoFolder = path.relative(root, ref).split(path.sep)[0];
    if (!repoFolder || repoFolder === '..') continue;
    const refsFolder = refsDir(path.join(root, repoFolder));
    let dir = path.dirname(ref);
    while (dir !== refsFolder && dir.startsWith(refsFolder + path.sep)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        break;
      }
      dir = path.dirname(dir);
    }
  }
}
