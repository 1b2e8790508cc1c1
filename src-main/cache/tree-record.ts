/**
 * `trees/<commit>.json` in a repo folder: the file listing of a commit, as huggingface_hub ≥ 1.22
 * writes and reads it (docs/hub-protocol.md §1.3; `_tree_cache.py`). Python's offline snapshot_download
 * uses it to tell a partial snapshot from a complete one, and so does Hubcap. A commit's listing
 * never changes, so the record is written once and trusted; an unknown format_version is ignored.
 */
import path from 'node:path';
import type { TreeFile } from '../hub/tree';
import { COMMIT_RE } from '../hub/repo-id';
import { writeFileAtomic } from '../base/atomic-write';
import { readUntrustedSync } from '../base/untrusted-file';
import { isEtag, SHA256_RE } from '../hub/blob-id';
import { treesDir } from './layout';

export const TREE_FORMAT_VERSION = 1;

export interface RecordedFile {
  size: number;
  /** The blob name: lfs sha256, else git sha1. */
  etag: string;
  lfs: boolean;
  /** The Xet file hash, when the Hub stores the file in Xet (a delta update maps its chunks through it). */
  xetHash?: string;
}

interface RecordEntry {
  size: number;
  blob_id: string;
  lfs_sha256?: string;
  lfs_size?: number;
  xet_hash?: string;
}

export function treeRecordPath(repoDir: string, commit: string): string {
  return path.join(treesDir(repoDir), `${commit}.json`);
}

/** Writes the record (sorted, atomically). Best effort, as in Python: a failure changes nothing else. */
export function writeTreeRecord(repoDir: string, commit: string, files: TreeFile[]): void {
  if (!COMMIT_RE.test(commit)) return;
  const entries: Record<string, RecordEntry> = {};
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    entries[f.path] = {
      size: f.size,
      blob_id: f.oid,
      ...(f.lfs ? { lfs_sha256: f.lfs.oid, lfs_size: f.lfs.size } : {}),
      ...(f.xetHash ? { xet_hash: f.xetHash } : {}),
    };
  }
  try {
    writeFileAtomic(treeRecordPath(repoDir, commit), JSON.stringify({ format_version: TREE_FORMAT_VERSION, files: entries }, null, 1));
  } catch {
    // the record is an aid for offline use; the download itself does not depend on it
  }
}

/** The recorded listing of a commit, or null when there is none (or it cannot be trusted). */
export function readTreeRecord(repoDir: string, commit: string): Map<string, RecordedFile> | null {
  if (!COMMIT_RE.test(commit)) return null;
  let data: unknown;
  try {
    data = JSON.parse(readUntrustedSync(treeRecordPath(repoDir, commit), 256 << 20).toString('utf8'));
  } catch {
    return null;
  }
  const d = data as { format_version?: unknown; files?: unknown };
  if (d.format_version !== TREE_FORMAT_VERSION || typeof d.files !== 'object' || d.files === null) return null;
  const out = new Map<string, RecordedFile>();
  for (const [p, raw] of Object.entries(d.files as Record<string, unknown>)) {
    const e = raw as Partial<RecordEntry> | null;
    if (!e || typeof e.size !== 'number' || !Number.isSafeInteger(e.size) || e.size < 0 || typeof e.blob_id !== 'string') return null;
    const lfs = typeof e.lfs_sha256 === 'string' && SHA256_RE.test(e.lfs_sha256);
    const etag = lfs ? (e.lfs_sha256 as string) : e.blob_id;
    if (!isEtag(etag)) return null;
    out.set(p, { size: e.size, etag, lfs, ...(typeof e.xet_hash === 'string' && SHA256_RE.test(e.xet_hash) ? { xetHash: e.xet_hash } : {}) });
  }
  return out;
}
