/**
 * A GGUF on the Hub, header only: fetched over HTTP ranges through HubHttp (so the token rules hold),
 * checked by our strict reader, and written as a header-only local file that node-llama-cpp's
 * GgufInsights can read in the inference host. node-llama-cpp could read a URL itself, but it would
 * pick up HF_TOKEN or the token file on its own, outside Hubcap's one decision about the token.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import type { HubHttp } from '../hub/http';
import { checkRevision, isSafeRepoPath, parseRepoId } from '../hub/repo-id';
import { fileMetadata, repoPageUrl, resolveUrl } from '../hub/resolve';
import { readGgufHeader } from '../library/gguf-header';
import { FormatError } from '../library/format-error';
import { SPLIT_GGUF } from '../hub/split-gguf';

/** Every part's name for a split GGUF (or just the file). */
export function ggufParts(file: string): string[] {
  const m = SPLIT_GGUF.exec(file);
  if (!m) return [file];
  const total = Number(m[3]);
  if (total < 1 || total > 999) return [file];
  return Array.from({ length: total }, (_, i) => `${m[1]}-${String(i + 1).padStart(5, '0')}-of-${m[3]}.gguf`);
}

/**
 * The most header bytes fetched for a fit: vocabularies of 256k tokens take a few MB, so 64 MiB is
 * far beyond any real model and bounds what a hostile header can make us fetch and keep.
 */
const REMOTE_HEADER_LIMIT = 64 << 20;

/** The first `max` bytes of a body (fewer if it ends first); the rest is never read. */
async function readPrefix(res: Response, max: number): Promise<Buffer> {
  const reader = res.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const parts: Uint8Array[] = [];
  let got = 0;
  try {
    while (got < max) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      got += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(parts).subarray(0, max);
}

/** Reads one remote GGUF's header; returns the bytes before its tensor data. */
async function fetchHeader(hub: HubHttp, repoId: string, commit: string, file: string): Promise<Buffer> {
  const repo = parseRepoId(repoId);
  const meta = await fileMetadata(hub, repo, commit, file);
  const url = resolveUrl(hub, repo, commit, file);
  const ctx = { repo: repo.id, revision: commit, path: file, repoUrl: repoPageUrl(hub, repo) };
  const chunks: { offset: number; data: Buffer }[] = [];
  const readAt = async (offset: number, length: number): Promise<Buffer> => {
    const res = await hub.fetch(url, {
      headers: { range: `bytes=${offset}-${offset + length - 1}`, 'accept-encoding': 'identity' },
      ctx,
      maxBodyBytes: REMOTE_HEADER_LIMIT,
    });
    if (res.status !== 206 && offset > 0) {
      await res.body?.cancel();
      throw new ApiError('SERVER_ERROR', `The server holding ${file} ignores byte ranges, so its fit cannot be judged without downloading the whole file.`);
    }
    // Only the bytes asked for are read, whatever the server sends (a 200 is the whole file).
    const slice = await readPrefix(res, length);
    chunks.push({ offset, data: slice });
    return slice;
  };
  let header;
  try {
    header = await readGgufHeader(readAt, meta.size, { maxHeaderBytes: REMOTE_HEADER_LIMIT });
  } catch (error) {
    if (error instanceof FormatError) throw new ApiError('INTEGRITY', `${file} is not a readable GGUF: ${error.message}`);
    throw error;
  }
  const out = Buffer.alloc(header.dataOffset);
  for (const c of chunks) c.data.copy(out, c.offset, 0, Math.max(0, Math.min(c.data.length, out.length - c.offset)));
  return out;
}

/**
 * Writes header-only copies of a remote GGUF (every part of a split one) into a fresh temporary
 * folder; returns the first part's path and a cleanup.
 */
export async function remoteGgufHeaders(hub: HubHttp, repoId: string, revision: string, file: string): Promise<{ path: string; dispose: () => void }> {
  checkRevision(revision);
  if (!isSafeRepoPath(file)) throw new ApiError('VALIDATION_FAILED', `${file} is not a valid file path.`);
  const parts = ggufParts(file);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-fit-'));
  const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    for (const part of parts) {
      const bytes = await fetchHeader(hub, repoId, revision, part);
      fs.writeFileSync(path.join(dir, path.basename(part)), bytes);
    }
    return { path: path.join(dir, path.basename(parts[0] as string)), dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}
