/**
 * Is this local file a file of that Hub repo? The path's hint (or the user) names the repo; the
 * Hub's tree listing at the revision gives each file's size and LFS sha256; the local file's own
 * sha256 decides. A name alone is never trusted: a file that claims a repo but whose bytes differ
 * (another quantization, a re-upload, a fine-tune) is refused, with why.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Identification } from '../contract/apps';
import { ApiError } from '../contract/errors';
import type { HubHttp } from '../hub/http';
import { parseRepoId } from '../hub/repo-id';
import { repoPageUrl, resolveCommit } from '../hub/resolve';
import { SPLIT_GGUF } from '../hub/split-gguf';
import { listTree, type TreeFile } from '../hub/tree';
import type { FileHashes } from './hashes';

export interface IdentifyRequest {
  path: string;
  repo: string;
  /** The file's path in the repo, when known. */
  file?: string | null;
  /** A quantization the file should have (Ollama's `hf.co/…:Q4_K_M` tag). */
  quant?: string | null;
  revision: string;
  /** The folder of the app the file belongs to: a link in it may lead only inside it. */
  root: string;
}

/** Listed files that could be this one, best first: the named path, then the quantization, then the same name, then any of its size. */
function candidatesFor(listing: TreeFile[], req: IdentifyRequest, size: number): TreeFile[] {
  const lfs = listing.filter((f) => f.lfs && f.size === size);
  if (req.file) return lfs.filter((f) => f.path === req.file);
  const base = path.basename(req.path).toLowerCase();
  const quant = req.quant?.toLowerCase() ?? null;
  const firstParts = lfs.filter((f) => !SPLIT_GGUF.exec(path.basename(f.path)) || Number(SPLIT_GGUF.exec(path.basename(f.path))?.[2]) === 1);
  const score = (f: TreeFile) => {
    const name = path.basename(f.path).toLowerCase();
    return (quant && name.includes(quant) ? 4 : 0) + (name === base ? 2 : 0) + (name.endsWith('.gguf') ? 1 : 0);
  };
  return [...firstParts].sort((a, b) => score(b) - score(a));
}

/** The identification, and the commit's listing it was checked against (adoption records it as trees/<commit>.json). */
export async function identify(
  hub: HubHttp,
  hashes: FileHashes,
  req: IdentifyRequest,
  onProgress?: (done: number, total: number) => void,
): Promise<{ id: Identification; listing: TreeFile[] }> {
  const repo = parseRepoId(req.repo);
  const st = await fs.promises.stat(req.path).catch(() => null);
  if (!st?.isFile()) throw new ApiError('INVALID_PATH', `${req.path} is not a file that can be read.`);
  const commit = await resolveCommit(hub, repo, req.revision);
  const listing = await listTree(hub, repo, commit, { repoUrl: repoPageUrl(hub, repo) });
  const candidates = candidatesFor(listing, req, st.size);
  if (!candidates.length) {
    const what = req.file
      ? `${req.file} is not a file of ${repo.id} at ${req.revision}, or its size differs`
      : `no file of ${repo.id} at ${req.revision} has its size`;
    throw new ApiError('NOT_FOUND', `${path.basename(req.path)} is not from ${repo.id}: ${what}.`, { repo: repo.id, revision: req.revision });
  }
  const sha256 = await hashes.sha256(req.path, onProgress, undefined, { root: req.root, followLinks: true });
  const match = candidates.find((f) => f.lfs?.oid === sha256);
  if (!match) {
    const named = candidates[0] as TreeFile;
    throw new ApiError(
      'INTEGRITY',
      `${path.basename(req.path)} is not ${repo.id}'s ${named.path}: its sha256 differs (it may be another quantization, an older upload or a fine-tune). Nothing was changed.`,
      { repo: repo.id, file: named.path, expected: named.lfs?.oid ?? null, actual: sha256 },
    );
  }
  return { id: { path: req.path, repo: repo.id, revision: req.revision, commit, file: match.path, size: st.size, sha256 }, listing };
}
