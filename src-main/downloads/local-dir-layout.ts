/**
 * huggingface_hub's local-dir bookkeeping, byte for byte (2.0's `_local_folder.py`, checked against
 * its source; docs/hub-protocol.md §1.7): files at their real paths under DIR, and beside them in
 * `DIR/.cache/huggingface/`: `download/<path>.metadata` (three lines: commit, etag, float unix
 * time), its lock `download/<path>.lock` (the `.metadata` suffix swapped, a filelock Python and we
 * both take), temp files `download/<dir>/<urlsafe-b64(sha1(<name>.metadata))>.<etag>.<8 hex>.incomplete`,
 * a `.gitignore` holding `*`, a `CACHEDIR.TAG`, and `trees/<commit>.json`. Metadata is trusted
 * only while the file's mtime is at most its time + 1 s, as Python trusts it.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { ETAG_RE } from '../contract/ids';
import { COMMIT_RE } from '../hub/repo-id';
import { quoteName, unsafeNameReason } from '../hub/file-names';
import { CACHEDIR_TAG } from '../cache/layout';
import { readUntrustedSync, replaceFile, writeExclusiveSync } from '../base/untrusted-file';
import { INCOMPLETE_SUFFIX } from './range-state';

export interface LocalDirPaths {
  /** DIR/<path>: the file itself. */
  file: string;
  metadata: string;
  lock: string;
  /** The folder of the metadata, where its temp files go (same drive as the file: a rename, never a copy). */
  downloadDir: string;
  /** `<short hash>.<etag>` needs the etag: see incompleteBase. */
  metadataName: string;
}

export interface LocalDirMetadata {
  commit: string;
  etag: string;
  timestamp: number;
}

/** `DIR/.cache/huggingface`: Python's own folder name, and where `trees/` lives for a local dir. */
export function hfDir(dir: string): string {
  return path.join(dir, '.cache', 'huggingface');
}

/** The paths of one repo file in a local dir; a name that could escape DIR (or Windows cannot hold) is refused, as Python refuses it. */
export function localDirPaths(dir: string, repoPath: string): LocalDirPaths {
  const bad = unsafeNameReason(repoPath);
  if (bad) throw new ApiError('INVALID_PATH', `Hubcap will not write ${quoteName(repoPath)} into a folder: ${bad}.`);
  const parts = repoPath.split('/');
  const metadata = path.join(hfDir(dir), 'download', ...parts.slice(0, -1), `${parts.at(-1)}.metadata`);
  return {
    file: path.join(dir, ...parts),
    metadata,
    lock: `${metadata.slice(0, -'.metadata'.length)}.lock`,
    downloadDir: path.dirname(metadata),
    metadataName: path.basename(metadata),
  };
}

/** Python's `_short_hash`: urlsafe base64 of sha1 of the metadata file's name, padding kept. */
export function shortHash(metadataName: string): string {
  return createHash('sha1').update(metadataName).digest('base64').replaceAll('+', '-').replaceAll('/', '_');
}

/** `<short>.<etag>`: every temp file of this file at this etag starts so (Python adds `.<8 hex>.incomplete`). */
export function incompleteBase(paths: LocalDirPaths, etag: string): string {
  return `${shortHash(paths.metadataName)}.${etag}`;
}

/** A new temp name, as Python 2.0 makes one: unique per download. */
export function newIncomplete(paths: LocalDirPaths, etag: string): string {
  return path.join(paths.downloadDir, `${incompleteBase(paths, etag)}.${randomBytes(4).toString('hex')}${INCOMPLETE_SUFFIX}`);
}

/** Temp files of this file at this etag another run left (Python's or ours), largest first: resumed, not refetched. */
export function leftIncompletes(paths: LocalDirPaths, etag: string): { path: string; size: number }[] {
  const base = `${incompleteBase(paths, etag)}.`;
  const names = fs.existsSync(paths.downloadDir) ? fs.readdirSync(paths.downloadDir) : [];
  return (
    names
      // A multi-connection partial's record (`….ranges.incomplete`) sits beside it: never a partial itself.
      .filter((n) => n.startsWith(base) && n.endsWith(INCOMPLETE_SUFFIX) && !n.includes('.ranges.'))
      .flatMap((n) => {
        const st = fs.lstatSync(path.join(paths.downloadDir, n), { throwIfNoEntry: false });
        return st?.isFile() ? [{ path: path.join(paths.downloadDir, n), size: st.size }] : [];
      })
      .sort((a, b) => b.size - a.size)
  );
}

/** `.cache/huggingface` with its `.gitignore` and `CACHEDIR.TAG`, created only where missing (never rewritten). */
export function ensureHfDir(dir: string): void {
  const hf = hfDir(dir);
  fs.mkdirSync(hf, { recursive: true });
  for (const [name, text] of [
    ['CACHEDIR.TAG', CACHEDIR_TAG],
    ['.gitignore', '*'],
  ] as const) {
    try {
      writeExclusiveSync(path.join(hf, name), text);
    } catch {
      // already there (Python's or ours), or not writable: the download does not depend on it
    }
  }
}

/**
 * The metadata of a file, when it can be trusted: well formed, the file there, and not modified
 * since (mtime ≤ time + 1 s). A malformed one counts as none (Python deletes it; it is rewritten).
 */
export function readMetadata(paths: LocalDirPaths): LocalDirMetadata | null {
  let text: string;
  try {
    text = readUntrustedSync(paths.metadata, 4096).toString('utf8');
  } catch {
    return null;
  }
  const [commit, etag, time] = text.split('\n').map((l) => l.trim());
  const timestamp = Number(time);
  if (!commit || !COMMIT_RE.test(commit) || !etag || !ETAG_RE.test(etag) || !time || !Number.isFinite(timestamp)) return null;
  const st = fs.statSync(paths.file, { throwIfNoEntry: false });
  if (!st?.isFile() || st.mtimeMs / 1000 - 1 > timestamp) return null;
  return { commit, etag, timestamp };
}

/** Written after the file is in place, so its mtime is never after the time recorded. */
export async function writeMetadata(paths: LocalDirPaths, commit: string, etag: string): Promise<void> {
  await fs.promises.mkdir(paths.downloadDir, { recursive: true });
  await replaceFile(paths.metadata, `${commit}\n${etag}\n${Date.now() / 1000}\n`);
}
