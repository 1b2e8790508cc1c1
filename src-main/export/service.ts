/**
 * "Use in another app": plan, then place. The plan says where each of a cached revision's files
 * goes in the app's folder, what is already there, and what each way of placing it means on these
 * drives (a clone where the file system has one is suggested; otherwise the user chooses, seeing
 * the consequences). Running it checks the same plan again, refuses every problem it shows (a
 * conflicting file is replaced only when asked), places each file, and remembers the export.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { APP_NAMES } from '../contract/apps';
import { ApiError, type ErrorCode } from '../contract/errors';
import type { ExportApp, ExportInput, ExportItemView, ExportMode, ExportModeView, ExportPlanView, ExportProblemCode, ExportResult } from '../contract/export';
import { formatBytes } from '../contract/present/format';
import { repoKey } from '../contract/keys';
import { ETAG_RE, SHA256_RE } from '../contract/ids';
import { SPLIT_GGUF } from '../hub/split-gguf';
import { copyUntrusted } from '../base/untrusted-file';
import type { CacheIndex } from '../cache/index';
import { findCachedRepo, type CachedFile, type CachedRevision } from '../cache/scan';
import type { AppLocation } from '../apps/locations';
import { comfyKindOf } from './file-kind';
import { COMFYUI_WEIGHTS, destinationOf } from './layouts';
import { existingAt, placeFile, type SourceFile } from './place';
import { ExportRecords, type ExportUse } from './records';
import { examineTarget, nameProblem, type TargetFacts } from '../downloads/local-dir-target';

export interface ExportServiceOptions {
  cache: CacheIndex;
  dataDir: string;
  /** The apps' known model folders (src-main/apps/locations.ts, with LM Studio's own setting). */
  locations: () => AppLocation[];
}

/** A plan with what running it needs, kept out of the view. */
interface Planned {
  view: ExportPlanView;
  sources: Map<string, SourceFile>;
  cacheRoot: string;
}

const PROBLEM_CODES: Record<ExportProblemCode, ErrorCode> = {
  FOLDER_MISSING: 'NOT_FOUND',
  NOT_WRITABLE: 'FORBIDDEN',
  INSIDE_CACHE: 'INVALID_PATH',
  LINKS_ELSEWHERE: 'INVALID_PATH',
  BAD_NAME: 'INVALID_PATH',
  NOT_A_FOLDER: 'INVALID_PATH',
};

export const appName = (app: ExportApp | null): string => (app ? APP_NAMES[app] : 'A folder');

/** `main`, a tag, or a commit prefix, among the cached revisions; the one `main` names (else the newest) when absent. */
function pickRevision(revisions: CachedRevision[], id: string, revision: string | undefined): CachedRevision {
  const found = revision
    ? revisions.find((r) => r.refs.includes(revision) || (revision.length >= 4 && r.commit.startsWith(revision)))
    : (revisions.find((r) => r.refs.includes('main')) ?? revisions[0]);
  if (!found) throw new ApiError('NOT_FOUND', revision ? `${revision} is not a cached revision of ${id}.` : `${id} has no cached revision.`);
  return found;
}

/**
 * The files asked for, with every part of a split GGUF one of them belongs to: a part alone is no
 * model (llama.cpp opens the first and reads the others beside it), so naming one places them all.
 */
export function withSplitParts(asked: string[], files: CachedFile[]): Set<string> {
  const out = new Set(asked);
  for (const p of asked) {
    const m = SPLIT_GGUF.exec(p);
    if (!m) continue;
    for (const f of files) {
      const n = SPLIT_GGUF.exec(f.path);
      if (n && n[1] === m[1] && n[3] === m[3]) out.add(f.path);
    }
  }
  return out;
}

/** Whether a clone from the cache into `dir` really works here (tried with a small file; nothing is left behind). */
async function cloneWorks(facts: TargetFacts, sample: CachedFile | undefined, cacheRoot: string): Promise<boolean> {
  if (!facts.sameDrive || !facts.rootExists || !sample) return false;
  const probe = path.join(facts.root, `.hubcap-clone-probe-${randomBytes(4).toString('hex')}`);
  try {
    await copyUntrusted(sample.blobPath, probe, fs.constants.COPYFILE_FICLONE_FORCE | fs.constants.COPYFILE_EXCL, { root: cacheRoot, followLinks: true });
    return true;
  } catch {
    return false;
  } finally {
    await fs.promises.rm(probe, { force: true });
  }
}

function modeViews(facts: TargetFacts, clone: boolean, bytes: number): ExportModeView[] {
  const acrossDrives = 'Not possible across drives: copy instead, or move the cache to this drive (Cache › Move, or hubcap cache mv).';
  return [
    {
      mode: 'clone',
      available: clone,
      consequence: clone
        ? 'A copy-on-write clone: no extra space now, and each side keeps its own bytes.'
        : facts.sameDrive
          ? 'This file system cannot clone (btrfs, XFS, APFS and ZFS can).'
          : acrossDrives,
    },
    {
      mode: 'link',
      available: facts.sameDrive,
      consequence: facts.sameDrive
        ? 'A hard link: no extra space, but the app and the cache share the bytes: if the app rewrites its file in place, the cached model changes too.'
        : acrossDrives,
    },
    {
      mode: 'symlink',
      available: process.platform !== 'win32',
      consequence: `A link into the cache: no extra space, but it breaks if the cache moves or this revision is deleted (Hubcap warns before such a delete)${facts.sameDrive ? '' : ", or while the cache's drive is not attached"}.`,
    },
    { mode: 'copy', available: true, consequence: `A full copy: costs ${formatBytes(bytes)} more on the target drive; independent of the cache.` },
  ];
}

export class ExportService {
  readonly records: ExportRecords;
  readonly #o: ExportServiceOptions;

  constructor(opts: ExportServiceOptions) {
    this.#o = opts;
    this.records = new ExportRecords(opts.dataDir);
  }

  /** Where each cached revision is also used by another app (delete previews, update cleanup). */
  outsideUses(): ExportUse[] {
    return this.records.uses(appName);
  }

  /** The cache moved: the symlinks Hubcap made into it are pointed at the new place. */
  cacheMoved(from: string, to: string): Promise<{ repointed: number; failed: string[] }> {
    return this.records.cacheMoved(from, to);
  }

  /** The app's models folder: the one that exists (LM Studio's own setting first), else its default. */
  #appRoot(app: ExportApp): { root: string; because: string } {
    const known = this.#o.locations().filter((l) => l.app === app);
    const loc = known.find((l) => fs.statSync(l.root, { throwIfNoEntry: false })?.isDirectory()) ?? known[0];
    if (!loc) throw new ApiError('NOT_FOUND', `Hubcap knows no models folder of ${APP_NAMES[app]} here: choose its folder.`);
    return { root: loc.root, because: loc.because };
  }

  /** The plan as the dialog asks it, again at each change: from the warm scan (a few seconds old at most). */
  async plan(input: ExportInput): Promise<ExportPlanView> {
    return (await this.#plan(input, false)).view;
  }

  async #plan(input: ExportInput, fresh: boolean): Promise<Planned> {
    const scan = this.#o.cache.scan(fresh);
    const repo = findCachedRepo(scan, input.repo);
    if (!repo) throw new ApiError('NOT_FOUND', `${input.repo.replace(/^\w+:/, '')} is not in the cache.`);
    const rev = pickRevision(repo.revisions, repo.id, input.revision);
    const missing = (input.files ?? []).filter((p) => !rev.files.some((f) => f.path === p));
    if (missing.length) throw new ApiError('NOT_FOUND', `Not in revision ${rev.commit.slice(0, 8)} of ${repo.id}: ${missing.slice(0, 5).join(', ')}.`);
    const app = input.app ?? null;
    const { root, because } = input.to ? { root: path.resolve(input.to), because: 'the folder you chose' } : this.#appRoot(app as ExportApp);

    const asked = input.files ? withSplitParts(input.files, rev.files) : null;
    const chosen = asked ? rev.files.filter((f) => asked.has(f.path)) : rev.files;
    const skipped: ExportPlanView['skipped'] = [];
    const files = chosen.filter((f) => {
      if (app !== 'comfyui' || COMFYUI_WEIGHTS.test(f.path)) return true;
      skipped.push({ path: f.path, why: 'ComfyUI reads only model weights' });
      return false;
    });
    const facts = examineTarget(root, scan.root, { createFolder: input.createFolder });
    const problems = [...facts.problems];
    const checkTarget = facts.rootExists && !problems.some((p) => p.code === 'LINKS_ELSEWHERE' || p.code === 'INSIDE_CACHE');
    const items: ExportItemView[] = [];
    const sources = new Map<string, SourceFile>();
    const seen = new Map<string, string>();
    for (const f of files) {
      const kind = app === 'comfyui' ? await comfyKindOf(f.blobPath, f.path, scan.root) : undefined;
      const dest = destinationOf(app, repo.id, f.path, kind?.folder);
      const bad = nameProblem(dest, facts.fsType);
      if (bad) problems.push({ code: 'BAD_NAME', message: `${dest} cannot be stored on this drive (${facts.fsType}): ${bad}.` });
      const twin = seen.get(dest);
      if (twin) problems.push({ code: 'BAD_NAME', message: `${twin} and ${f.path} would both be ${dest}: export them one at a time, or to a plain folder.` });
      seen.set(dest, f.path);
      const etag = path.basename(f.blobPath);
      const src: SourceFile = {
        blob: f.blobPath,
        snapshotFile: path.join(rev.snapshotPath, f.path),
        size: f.size,
        sha256: SHA256_RE.test(etag) ? etag : null,
        etag: ETAG_RE.test(etag) ? etag : null,
      };
      sources.set(f.path, src);
      const at = checkTarget && !bad ? await existingAt(path.join(root, dest), src, scan.root) : { state: 'new' as const };
      items.push({ path: f.path, dest, size: f.size, sha256: src.sha256, ...(kind ? { kind } : {}), ...at });
    }
    const smallest = [...files].sort((a, b) => a.size - b.size)[0];
    const clone = await cloneWorks(facts, smallest, scan.root);
    const totalBytes = items.reduce((a, i) => a + i.size, 0);
    const view: ExportPlanView = {
      repo: repoKey(repo),
      id: repo.id,
      commit: rev.commit,
      app,
      root,
      because,
      rootExists: facts.rootExists,
      sameDrive: facts.sameDrive,
      modes: modeViews(facts, clone, totalBytes),
      suggested: clone ? 'clone' : null,
      totalBytes,
      items,
      skipped,
      problems,
    };
    return { view, sources, cacheRoot: scan.root };
  }

  async run(input: ExportInput): Promise<ExportResult> {
    // Placing works from a fresh scan: what is placed is what the cache holds now.
    const { view, sources, cacheRoot } = await this.#plan(input, true);
    const blocking = view.problems.filter((p) => !(p.code === 'FOLDER_MISSING' && input.createFolder));
    const first = blocking[0];
    if (first) throw new ApiError(PROBLEM_CODES[first.code], blocking.map((p) => p.message).join(' '), { problem: first.code, problems: blocking });
    if (!view.items.length) throw new ApiError('NOT_FOUND', `Nothing of ${view.id} to place there${view.skipped.length ? ` (${view.skipped[0]?.why})` : ''}.`);
    const mode = this.#mode(view, input.mode);
    const conflicts = view.items.filter((i) => i.state === 'conflict');
    if (conflicts.length && !input.replace)
      throw new ApiError(
        'CONFLICT',
        `${conflicts.length === 1 ? `${conflicts[0]?.dest} already exists` : `${conflicts.length} files already exist`} in ${view.root} and ${conflicts.length === 1 ? 'is' : 'are'} not this file: nothing was replaced.`,
        { conflicts: conflicts.map((c) => ({ dest: c.dest, ours: { size: c.size, sha256: c.sha256 }, theirs: c.conflict })) },
      );
    await fs.promises.mkdir(view.root, { recursive: true });
    let placed = 0;
    let bytesCopied = 0;
    for (const item of view.items.filter((i) => i.state !== 'same')) {
      const dest = path.join(view.root, item.dest);
      try {
        await placeFile(sources.get(item.path) as SourceFile, dest, { mode, replace: item.state === 'conflict', root: view.root, cacheRoot });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC')
          throw new ApiError('DISK_FULL', `${view.root}'s drive is full: ${item.dest} (${formatBytes(item.size)}) did not fit; ${placed} files were placed.`);
        throw error;
      }
      placed += 1;
      if (mode === 'copy') bytesCopied += item.size;
    }
    const record = this.records.remember({
      repo: view.repo,
      commit: view.commit,
      app: view.app,
      root: view.root,
      mode,
      files: view.items.map((i) => ({ path: i.path, dest: path.join(view.root, i.dest) })),
    });
    return { record: { ...record, missing: 0 }, placed, same: view.items.length - placed, replaced: conflicts.length, bytesCopied };
  }

  /** The way asked for, or the suggested clone; otherwise the user must choose, seeing what each means. */
  #mode(view: ExportPlanView, asked: ExportMode | undefined): ExportMode {
    const mode = asked ?? view.suggested;
    const choice = view.modes.find((m) => m.mode === mode);
    if (!mode || !choice)
      throw new ApiError(
        'VALIDATION_FAILED',
        `This drive cannot clone: choose how to place ${view.id}. ${view.modes
          .filter((m) => m.available)
          .map((m) => `${m.mode}: ${m.consequence}`)
          .join(' ')}`,
        { modes: view.modes },
      );
    if (!choice.available) throw new ApiError('NOT_AVAILABLE', `${mode} is not possible here: ${choice.consequence}`);
    return mode;
  }
}
