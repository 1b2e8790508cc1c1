/**
 * Writing into huggingface_hub 2.x's shared blob store as Python does (#24.3, docs/hub-protocol.md
 * §1.13, `publish_blob_to_shared_store` / `try_link_from_shared_store`), called by the download
 * engine for Xet-stored files. Under the payload's lock: a temp link beside the repo blob, the
 * manifest line appended and fsynced, the payload renamed into the store (when new), the temp link
 * renamed over the repo blob. Unlike Python, a present payload is linked only once its sha256 is
 * checked against the blob's name (#24.4): Python publishes Xet payloads after a length check only.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { envFlag, type Env } from '../hub/hf-env';
import { sha256Once, type HashProgress } from './payload-hash';
import { payloadPath, STORE_LAYOUT, STORE_MARKER, storeDir, storeState, XET_HASH_RE } from './shared-store';
import { appendReference, lockPayload } from './store-write';
import { copyUntrusted, createExclusive } from '../base/untrusted-file';
import { blobsDir } from './layout';

export interface StorePolicy {
  /** HF_HUB_DISABLE_SHARED_BLOBS or HF_HUB_DISABLE_XET: Python keeps out of the store, and so do we. */
  disabled: boolean;
  /** The setting: make the store in a cache that has none (as Python ≥ 2.0 does on its first Xet download). */
  create: boolean;
}

/** The environment's part of the policy, with Python's flag semantics. */
export function storeDisabledByEnv(env: Env): boolean {
  return storeDisabledBy(env) !== null;
}

/** Which variable keeps the store out of use, for Settings to say. */
export function storeDisabledBy(env: Env): 'HF_HUB_DISABLE_SHARED_BLOBS' | 'HF_HUB_DISABLE_XET' | null {
  if (envFlag(env.HF_HUB_DISABLE_SHARED_BLOBS)) return 'HF_HUB_DISABLE_SHARED_BLOBS';
  return envFlag(env.HF_HUB_DISABLE_XET) ? 'HF_HUB_DISABLE_XET' : null;
}

/** Whether a download into this cache goes through the store: it exists (v1), or may be made. */
export function storeInUse(cacheDir: string, policy: StorePolicy): boolean {
  if (policy.disabled) return false;
  const state = storeState(cacheDir);
  return state === 'v1' || (state === 'none' && policy.create);
}

export interface StoreFile {
  cacheDir: string;
  repoFolder: string;
  /** The repo blob's name: the sha256 (the Hub's X-Linked-Etag for an LFS file). */
  etag: string;
  xetHash: string;
  size: number;
}

const blobOf = (f: StoreFile) => path.join(blobsDir(path.join(f.cacheDir, f.repoFolder)), f.etag);

/** Python's modes: payloads read-only for whoever can traverse the cache root; folders mirror the root. */
function modes(cacheDir: string): { file: number; dir: number } {
  const root = fs.statSync(cacheDir).mode;
  return { file: 0o400 | (root & 0o010 ? 0o040 : 0) | (root & 0o001 ? 0o004 : 0), dir: root & 0o7777 };
}

/** Makes (and marks) the store and the payload's prefix folder; false when `blobs/` is someone else's. */
async function ensurePrefix(cacheDir: string, xetHash: string): Promise<boolean> {
  const dir = storeDir(cacheDir);
  const { dir: dirMode } = modes(cacheDir);
  await fs.promises.mkdir(dir, { recursive: true });
  if (storeState(cacheDir) !== 'v1') {
    // Only an empty folder is made a store (Python refuses to adopt one with anything in it).
    if ((await fs.promises.readdir(dir)).length) return storeState(cacheDir) === 'v1';
    await fs.promises.chmod(dir, dirMode);
    const tmp = path.join(dir, `${STORE_MARKER}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const fh = await createExclusive(tmp, 0o600);
      await fh.writeFile(`${STORE_LAYOUT}\n`);
      await fh.chmod(modes(cacheDir).file);
      await fh.close();
      await fs.promises.rename(tmp, path.join(dir, STORE_MARKER));
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
    if (storeState(cacheDir) !== 'v1') return false;
  }
  const prefix = path.join(dir, xetHash.slice(0, 2));
  await fs.promises.mkdir(prefix).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  if (!(await fs.promises.lstat(prefix)).isDirectory()) return false;
  await fs.promises.chmod(prefix, dirMode).catch(() => undefined);
  return true;
}

/** A payload usable for this file: a regular file of the right size whose sha256 is the blob's name. */
async function payloadState(f: StoreFile, onHash?: HashProgress): Promise<'usable' | 'absent' | 'corrupt'> {
  const payload = payloadPath(f.cacheDir, f.xetHash);
  const st = await fs.promises.lstat(payload).catch(() => null);
  if (!st?.isFile()) return 'absent';
  if (st.size !== f.size) return 'corrupt';
  const digest = await sha256Once(payload, onHash ? { onProgress: onHash } : {}).catch(() => null);
  return digest === f.etag ? 'usable' : 'corrupt';
}

/** Renames a fresh temp link over the repo blob: the one step that makes it visible. */
async function withTempLink<T>(f: StoreFile, step: (tmpLink: string) => Promise<T>): Promise<T> {
  const blob = blobOf(f);
  const tmpLink = path.join(path.dirname(blob), `.${f.etag}.${randomBytes(4).toString('hex')}.shared`);
  await fs.promises.symlink(path.relative(path.dirname(blob), payloadPath(f.cacheDir, f.xetHash)), tmpLink);
  try {
    return await step(tmpLink);
  } finally {
    await fs.promises.rm(tmpLink, { force: true });
  }
}

export type LinkResult = 'linked' | 'absent' | 'corrupt';

/**
 * The repo blob as a link to a payload already in the store, with no byte downloaded. `corrupt`:
 * a payload is there but its bytes are not the blob's (reported, never linked; download instead).
 */
export async function linkFromStore(f: StoreFile, opts: { onHash?: HashProgress; signal?: AbortSignal } = {}): Promise<LinkResult> {
  if (!XET_HASH_RE.test(f.xetHash) || storeState(f.cacheDir) !== 'v1') return 'absent';
  const payload = payloadPath(f.cacheDir, f.xetHash);
  if (!(await fs.promises.lstat(path.dirname(payload)).catch(() => null))?.isDirectory()) return 'absent';
  const lock = await lockPayload(payload, opts.signal);
  try {
    const state = await payloadState(f, opts.onHash);
    if (state !== 'usable') return state;
    await fs.promises.mkdir(path.dirname(blobOf(f)), { recursive: true });
    await withTempLink(f, async (tmpLink) => {
      await appendReference(f.cacheDir, payload, blobOf(f));
      await fs.promises.rename(tmpLink, blobOf(f));
    });
    // On a network drive another machine's collection does not see our lock: if it took the payload
    // between our manifest line and our link, the link leads nowhere. Checked after: then download.
    if (!(await fs.promises.lstat(payload).catch(() => null))?.isFile()) {
      await fs.promises.rm(blobOf(f), { force: true });
      return 'absent';
    }
    return 'linked';
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/**
 * Moves a blob we just downloaded and verified (sha256 = its name) into the store and leaves a link
 * in its place. A payload already there is kept when it checks out, replaced by ours when it does
 * not (a corrupt payload repaired for every repo using it). False: left as a plain repo blob.
 */
export async function publishToStore(f: StoreFile, policy: StorePolicy, opts: { signal?: AbortSignal } = {}): Promise<boolean> {
  if (!XET_HASH_RE.test(f.xetHash) || !storeInUse(f.cacheDir, policy)) return false;
  const blob = blobOf(f);
  const st = await fs.promises.lstat(blob).catch(() => null);
  if (!st?.isFile() || st.size !== f.size) return false;
  if (!(await ensurePrefix(f.cacheDir, f.xetHash))) return false;
  const payload = payloadPath(f.cacheDir, f.xetHash);
  const lock = await lockPayload(payload, opts.signal);
  try {
    // A second name for our verified bytes until the link is in place and the payload still there:
    // another machine's collection (network drives) can then cost a link, never the bytes.
    const spare = path.join(path.dirname(blob), `.${f.etag}.${randomBytes(4).toString('hex')}.keep`);
    const kept = await fs.promises
      .link(blob, spare)
      .then(() => true)
      .catch(() => false);
    try {
      return await withTempLink(f, async (tmpLink) => {
        const keep = (await payloadState(f)) === 'usable';
        await appendReference(f.cacheDir, payload, blob);
        let moved = false;
        if (!keep) {
          await fs.promises.chmod(blob, modes(f.cacheDir).file);
          await fs.promises.rename(blob, payload);
          moved = true;
        }
        try {
          await fs.promises.rename(tmpLink, blob);
        } catch (error) {
          // Put the bytes back under the repo's name before anyone can collect them (Python does the same).
          if (moved) await copyUntrusted(payload, blob);
          throw error;
        }
        if (kept && !(await fs.promises.lstat(payload).catch(() => null))?.isFile()) {
          await fs.promises.rename(spare, blob); // collected under us: the repo keeps its own copy
          return false;
        }
        return true;
      });
    } finally {
      await fs.promises.rm(spare, { force: true });
    }
  } finally {
    await lock.release().catch(() => undefined);
  }
}
