/**
 * What publishing does to each file of an existing repo: add (not there), replace (there with
 * other bytes) or leave as is (the same bytes: skipped). The Hub says, at preupload, how it will
 * store each path (LFS or regular) and the oid of what is there now: sha256 for LFS files, the git
 * blob sha1 for regular ones. Sizes from paths-info spare hashing a file that is plainly different;
 * the rest are hashed here (large files off the core's thread, remembered by path, size and mtime).
 */
import { createHash } from 'node:crypto';
import type { PublishAction } from '../contract/publish';
import type { HubHttp } from '../hub/http';
import { BODY_LIMITS } from '../hub/limits';
import { ETAG_RE } from '../hub/blob-id';
import { COMMIT_RE, repoApiPath, type RepoRef } from '../hub/repo-id';
import type { LocalFile } from './files';
import { openUntrusted, readUntrusted } from '../base/untrusted-file';

export interface RemoteComparison {
  head: string;
  modes: Map<string, 'lfs' | 'regular'>;
  actions: Map<string, PublishAction>;
}

export interface Sha256Source {
  sha256(file: string, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<string>;
}

/** Files per preupload request: what @huggingface/hub sends. */
const PREUPLOAD_CHUNK = 100;
/** Regular (non-LFS) files are small on the Hub (≤ 10 MB); hashing them inline is cheap. */
const REGULAR_MAX = 10 * 1024 * 1024;

interface PreuploadAnswer {
  files?: { path?: unknown; uploadMode?: unknown; oid?: unknown }[];
  commitOid?: unknown;
}

async function sample(file: LocalFile): Promise<string> {
  const { fh } = await openUntrusted(file.localPath);
  try {
    const buf = Buffer.alloc(Math.min(512, file.size));
    await fh.read(buf, 0, buf.length, 0);
    return buf.toString('base64');
  } finally {
    await fh.close();
  }
}

async function gitBlobSha1(file: string): Promise<string> {
  // Only files below the LFS threshold are hashed this way: small, but bounded all the same.
  const data = await readUntrusted(file, 64 << 20);
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

export async function compareWithRepo(
  hub: HubHttp,
  repo: RepoRef,
  opts: { revision: string; createPr: boolean; files: LocalFile[]; hashes: Sha256Source; onHashing?: (path: string, done: number, total: number) => void },
): Promise<RemoteComparison> {
  const modes = new Map<string, 'lfs' | 'regular'>();
  const remoteOid = new Map<string, string>();
  let head = '';
  const ctx = { repo: repo.id, revision: opts.revision };
  for (let i = 0; i < opts.files.length; i += PREUPLOAD_CHUNK) {
    const chunk = opts.files.slice(i, i + PREUPLOAD_CHUNK);
    const body = JSON.stringify({ files: await Promise.all(chunk.map(async (f) => ({ path: f.path, size: f.size, sample: await sample(f) }))) });
    const url = hub.url(`/api/${repoApiPath(repo)}/preupload/${encodeURIComponent(opts.revision)}${opts.createPr ? '?create_pr=1' : ''}`);
    // Preupload changes nothing on the Hub: safe to ask again after a transient failure.
    const res = await hub.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      retries: 3,
      ctx,
      maxBodyBytes: BODY_LIMITS.json,
    });
    const answer = (await res.json()) as PreuploadAnswer;
    if (typeof answer.commitOid === 'string' && COMMIT_RE.test(answer.commitOid)) head = answer.commitOid;
    for (const f of Array.isArray(answer.files) ? answer.files : []) {
      if (typeof f.path !== 'string') continue;
      modes.set(f.path, f.uploadMode === 'lfs' ? 'lfs' : 'regular');
      if (typeof f.oid === 'string' && ETAG_RE.test(f.oid)) remoteOid.set(f.path, f.oid);
    }
  }

  // Sizes of what is there, so a file of another size is "replace" without reading it.
  const remoteSize = new Map<string, number>();
  const there = opts.files.filter((f) => remoteOid.has(f.path));
  for (let i = 0; i < there.length; i += PREUPLOAD_CHUNK) {
    const form = new URLSearchParams();
    for (const f of there.slice(i, i + PREUPLOAD_CHUNK)) form.append('paths', f.path);
    const url = hub.url(`/api/${repoApiPath(repo)}/paths-info/${encodeURIComponent(head || opts.revision)}`);
    const res = await hub.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      retries: 3,
      ctx,
    });
    const entries = (await res.json()) as { path?: unknown; size?: unknown }[];
    for (const e of Array.isArray(entries) ? entries : []) if (typeof e.path === 'string' && typeof e.size === 'number') remoteSize.set(e.path, e.size);
  }

  const actions = new Map<string, PublishAction>();
  for (const f of opts.files) {
    const oid = remoteOid.get(f.path);
    if (!oid) {
      actions.set(f.path, 'add');
      continue;
    }
    const size = remoteSize.get(f.path);
    if (size !== undefined && size !== f.size) {
      actions.set(f.path, 'replace');
      continue;
    }
    const local =
      oid.length === 64
        ? await opts.hashes.sha256(f.localPath, (done, total) => opts.onHashing?.(f.path, done, total))
        : f.size <= REGULAR_MAX
          ? await gitBlobSha1(f.localPath)
          : null;
    actions.set(f.path, local === oid ? 'unchanged' : 'replace');
  }
  return { head, modes, actions };
}
