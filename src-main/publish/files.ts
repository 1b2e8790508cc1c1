/**
 * The files a publish sends, from what the user chose: files go to `pathInRepo/<name>`, folders
 * keep their structure under `pathInRepo/`. Links are followed only when they stay inside the
 * chosen folder (a cache snapshot's links into blobs/ are the exception: they are the files), and
 * `.git/` and `.cache/huggingface/` are left out as `hf upload` does. Every name is checked with
 * the Hub's path rules; nothing is sent that the user did not see in the plan.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { matchesAny } from '../downloads/patterns';
import { SPLIT_GGUF } from '../hub/split-gguf';
import { COMMIT_ID } from '../contract/ids';
import { isSafeRepoPath } from '../hub/repo-id';

const SNAPSHOT_PATH_RE = new RegExp(String.raw`[\\/]snapshots[\\/]` + COMMIT_ID);

export interface LocalFile {
  /** Path in the repo. */
  path: string;
  localPath: string;
  size: number;
  mtimeMs: number;
}

export interface CollectedFiles {
  files: LocalFile[];
  skipped: { path: string; reason: string }[];
}

/** More files than a model or LoRA folder holds; a folder past this is almost certainly not the one meant. */
export const MAX_PUBLISH_FILES = 25_000;

/** Folders `hf upload` never sends. */
const IGNORED_DIRS = [/^\.git$/, /^\.cache$/];

function joinRepo(prefix: string, rel: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return p ? `${p}/${rel}` : rel;
}

/** All parts of a split GGUF beside the first one (name-00001-of-00003.gguf), or just the file. */
export function modelParts(file: string): string[] {
  const m = SPLIT_GGUF.exec(path.basename(file));
  if (!m) return [file];
  const total = Number(m[3]);
  const dir = path.dirname(file);
  return Array.from({ length: total }, (_, i) => path.join(dir, `${m[1] as string}-${String(i + 1).padStart(5, '0')}-of-${m[3] as string}.gguf`));
}

export function collectFiles(paths: string[], opts: { pathInRepo: string; include: string[]; exclude: string[] }): CollectedFiles {
  const prefix = opts.pathInRepo.trim();
  if (prefix && !isSafeRepoPath(prefix.replace(/\/+$/, ''))) {
    throw new ApiError('VALIDATION_FAILED', `"${prefix}" is not a folder path the Hub accepts (no "..", no leading "/").`);
  }
  const files: LocalFile[] = [];
  const skipped: CollectedFiles['skipped'] = [];
  const seen = new Map<string, string>();

  const add = (rel: string, abs: string, st: fs.Stats) => {
    const repoPath = joinRepo(prefix, rel);
    if (!isSafeRepoPath(repoPath) || Buffer.byteLength(repoPath) > 1000) {
      skipped.push({ path: abs, reason: `"${repoPath}" is not a name the Hub accepts.` });
      return;
    }
    if (opts.include.length > 0 && !matchesAny(repoPath, opts.include)) return;
    if (opts.exclude.length > 0 && matchesAny(repoPath, opts.exclude)) return;
    const other = seen.get(repoPath);
    if (other) {
      skipped.push({ path: abs, reason: `${repoPath} is already sent from ${other}.` });
      return;
    }
    if (files.length >= MAX_PUBLISH_FILES) throw new ApiError('VALIDATION_FAILED', `More than ${MAX_PUBLISH_FILES} files: choose a smaller folder.`);
    seen.set(repoPath, abs);
    files.push({ path: repoPath, localPath: abs, size: st.size, mtimeMs: st.mtimeMs });
  };

  for (const raw of paths) {
    const abs = path.resolve(raw);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ApiError('INVALID_PATH', code === 'ENOENT' ? `${abs} does not exist.` : `${abs} cannot be read (${code ?? 'error'}).`);
    }
    if (st.isFile()) {
      try {
        fs.accessSync(abs, fs.constants.R_OK);
      } catch {
        throw new ApiError('INVALID_PATH', `${abs} cannot be read (permission denied).`);
      }
      // Read later through untrusted-file, which opens no link: the file the user chose, resolved once.
      add(path.basename(abs), fs.realpathSync(abs), st);
      continue;
    }
    if (!st.isDirectory()) throw new ApiError('INVALID_PATH', `${abs} is neither a file nor a folder.`);
    // Resolved once per chosen folder, not at every folder inside it.
    walk({ root: abs, realRoot: fs.realpathSync(abs), inSnapshot: SNAPSHOT_PATH_RE.test(abs), add, skipped }, abs);
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { files, skipped };
}

interface Walk {
  root: string;
  realRoot: string;
  /** A cache snapshot: its links into blobs/ are the files. */
  inSnapshot: boolean;
  add: (rel: string, abs: string, st: fs.Stats) => void;
  skipped: CollectedFiles['skipped'];
}

function walk(w: Walk, dir: string): void {
  const { root, realRoot, inSnapshot, add, skipped } = w;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    skipped.push({ path: dir, reason: `The folder cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).` });
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const abs = path.join(dir, e.name);
    const rel = path.relative(root, abs).split(path.sep).join('/');
    if (e.isDirectory() && IGNORED_DIRS.some((re) => re.test(e.name))) continue;
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      skipped.push({ path: abs, reason: e.isSymbolicLink() ? 'A link to something that is not there.' : 'It cannot be read.' });
      continue;
    }
    if (e.isSymbolicLink()) {
      // A cache snapshot is links into blobs/: those are the files. Elsewhere a link must stay inside the folder.
      const target = fs.realpathSync(abs);
      const inside = target === realRoot || target.startsWith(realRoot + path.sep);
      const cacheBlob = inSnapshot && /[\\/]blobs[\\/][0-9a-f]{40,64}$/.test(target);
      if (!inside && !cacheBlob) {
        skipped.push({ path: abs, reason: `A link out of the folder (to ${target}); not sent.` });
        continue;
      }
      if (st.isDirectory()) {
        skipped.push({ path: abs, reason: 'A link to a folder; not followed.' });
        continue;
      }
      if (st.isFile()) {
        // Checked here: what is read later is the link's target, opened as a regular file (no link followed then).
        add(rel, target, st);
        continue;
      }
    }
    if (st.isDirectory()) walk(w, abs);
    else if (st.isFile()) {
      try {
        fs.accessSync(abs, fs.constants.R_OK);
      } catch {
        skipped.push({ path: abs, reason: 'It cannot be read (permission denied).' });
        continue;
      }
      add(rel, abs, st);
    }
  }
}
