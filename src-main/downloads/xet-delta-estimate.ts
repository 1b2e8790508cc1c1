/**
 * "3 files changed · 41.2 GB new revision · 212 MB to download" (#26.2): the bytes a download of a
 * new revision would really move once chunks on this machine are reused, computed before anything
 * is fetched. Per Xet file: its reconstruction plan (tokens and requests as the download makes
 * them), each xorb range split as the transfer would split it (xet-transfer.ts jobsOf), and the
 * ranges whose terms are all found in a local file that still matches its sha256 counted as reused
 * (xet-local-chunks.ts, the very code the download runs). The rest counts its xorb bytes, which is
 * what travels (compressed, with chunk headers). Files the cache already holds move nothing; files
 * that are not Xet (or a CAS that cannot be asked) move their whole size.
 *
 * Checking local copies hashes each old file once (remembered per inode by cache/payload-hash.ts),
 * so a first estimate of a big model reads it from disk; the update that follows reads nothing again.
 */
import fs from 'node:fs';
import { blobPath, repoDir as repoDirOf } from '../cache/layout';
import { payloadPath } from '../cache/shared-store';
import type { HubHttp } from '../hub/http';
import type { RepoRef } from '../hub/repo-id';
import { CasClient } from '../xet/cas-client';
import { XetTokenSource } from '../xet/token';
import { xetRefreshUrl } from './xet-blob';
import { LocalChunks } from './xet-local-chunks';
import { jobsOf, XET_WINDOW_BYTES } from './xet-transfer';

export interface DeltaEstimateFile {
  /** Path in the repo. */
  path: string;
  size: number;
  /** The blob name (lfs sha256, or git sha1 for small regular files). */
  etag: string;
  /** Present when the Hub stores the file in Xet (`xetHash` of the tree / paths-info entry). */
  xetHash?: string;
}

export interface DeltaEstimateTarget {
  cacheDir: string;
  repo: RepoRef;
  /** The new revision's commit (its Xet read token is asked for this commit). */
  commit: string;
  files: DeltaEstimateFile[];
}

/**
 * `present`: the blob is in this cache already; `delta`: some chunks come from local files;
 * `full`: every byte travels (not Xet, nothing local, or the CAS could not be asked: see `note`).
 */
export type DeltaHow = 'present' | 'delta' | 'full';

export interface FileDeltaEstimate {
  path: string;
  size: number;
  how: DeltaHow;
  /** Bytes that would travel: xorb bytes for Xet files, the size otherwise. */
  download: number;
  /** Bytes of the file written from local files instead. */
  reused: number;
  /** Local copies that no longer match their sha256: nothing will be reused from them (#26.6). */
  stale: string[];
  note?: string;
}

export interface DeltaEstimate {
  files: FileDeltaEstimate[];
  /** Sum of the files' sizes, and of what would travel. */
  totalBytes: number;
  downloadBytes: number;
}

/** What downloading `target.files` at `target.commit` would move, given what is on this machine now. */
export async function estimateDelta(hub: HubHttp, target: DeltaEstimateTarget, opts: { signal: AbortSignal; fetch?: typeof fetch }): Promise<DeltaEstimate> {
  const dir = repoDirOf(target.cacheDir, target.repo);
  const tokens = new XetTokenSource(hub, xetRefreshUrl(hub, target.repo, target.commit));
  const files: FileDeltaEstimate[] = [];
  for (const f of target.files) {
    opts.signal.throwIfAborted();
    const base = { path: f.path, size: f.size, stale: [] as string[] };
    if (present(target.cacheDir, dir, f)) files.push({ ...base, how: 'present', download: 0, reused: 0 });
    else if (!f.xetHash || f.etag.length !== 64) files.push({ ...base, how: 'full', download: f.size, reused: 0, note: 'not stored in Xet' });
    else {
      const cas = new CasClient(tokens, { repo: target.repo.id, path: f.path }, opts.fetch);
      files.push(await estimateXetFile(cas, dir, { ...f, xetHash: f.xetHash }, opts.signal));
    }
  }
  return { files, totalBytes: files.reduce((n, f) => n + f.size, 0), downloadBytes: files.reduce((n, f) => n + f.download, 0) };
}

function present(cacheDir: string, dir: string, f: DeltaEstimateFile): boolean {
  const sized = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.size === f.size;
  try {
    return sized(blobPath(dir, f.etag)) || (f.xetHash !== undefined && sized(payloadPath(cacheDir, f.xetHash)));
  } catch {
    return false;
  }
}

async function estimateXetFile(cas: CasClient, dir: string, f: DeltaEstimateFile & { xetHash: string }, signal: AbortSignal): Promise<FileDeltaEstimate> {
  const local = new LocalChunks({ repoDir: dir, repoPath: f.path, sha256: f.etag, xetHash: f.xetHash, size: f.size });
  let download = 0;
  let reused = 0;
  try {
    await local.prepare(cas, signal);
    for (let start = 0; start < f.size; start += XET_WINDOW_BYTES) {
      const window = { start, end: Math.min(f.size, start + XET_WINDOW_BYTES) };
      const plan = await cas.plan(f.xetHash, window, f.size, signal);
      for (const job of jobsOf(plan, start)) {
        let fromDisk = 0;
        for (const p of job.placements) {
          if (!(await local.locate(p.term.xorb, p.term.chunks.start, p.term.chunks.end, p.term.unpacked, signal))) {
            fromDisk = -1;
            break;
          }
          fromDisk += Math.max(0, Math.min(p.cursor + p.term.unpacked, window.end) - Math.max(p.cursor, window.start));
        }
        if (fromDisk >= 0) reused += fromDisk;
        else download += job.range.bytes.end - job.range.bytes.start + 1;
      }
    }
  } catch (error) {
    if (signal.aborted) throw error;
    const note = `the Xet storage could not be asked (${error instanceof Error ? error.message : String(error)})`;
    return { path: f.path, size: f.size, how: 'full', download: f.size, reused: 0, stale: [...local.stale], note };
  } finally {
    await local.close();
  }
  return { path: f.path, size: f.size, how: reused > 0 ? 'delta' : 'full', download, reused, stale: [...local.stale] };
}
