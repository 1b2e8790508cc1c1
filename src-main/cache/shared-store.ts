/**
 * Reading huggingface_hub 2.x's shared blob store (docs/hub-protocol.md §1.13): `<cache>/blobs/`
 * marked by `.huggingface-shared-blobs` = `1\n`, payloads at `blobs/<xx>/<xet hash>`, repo blobs as
 * relative symlinks into it, and `<xet hash>.refs` manifests listing those links. The rules are
 * Python's (`utils/_shared_blobs.py`): a link counts only when its text leads exactly to a canonical
 * payload path, a manifest line only when its link still resolves to that payload, and a missing or
 * unreadable manifest means "unknown", never "unreferenced".
 */
import fs from 'node:fs';
import path from 'node:path';
import { readUntrustedSync } from '../base/untrusted-file';
import { XET_HASH_RE } from '../contract/ids';
import { CACHE_NAMES } from './layout';

export const STORE_DIR = 'blobs';
export const STORE_MARKER = '.huggingface-shared-blobs';
export const STORE_LAYOUT = '1';
export { XET_HASH_RE };
const REPO_DIR_RE = /^(?:datasets|models|spaces)--.+$/;
/** A manifest bigger than this is not read (one line is under 400 bytes; that is ~2.5M links). */
const MAX_MANIFEST_BYTES = 1 << 30;

/** none: no `blobs/`; v1: the store; unknown: a marker of another layout; unmarked: a `blobs/` Python refuses too. */
export type StoreState = 'none' | 'v1' | 'unknown' | 'unmarked';

export function storeDir(cacheDir: string): string {
  return path.join(cacheDir, STORE_DIR);
}

export function storeState(cacheDir: string): StoreState {
  const dir = storeDir(cacheDir);
  const st = lstat(dir);
  if (!st) return 'none';
  if (!st.isDirectory()) return 'unmarked';
  const marker = path.join(dir, STORE_MARKER);
  if (!lstat(marker)?.isFile()) return 'unmarked';
  try {
    return readUntrustedSync(marker, 64).toString('utf8') === `${STORE_LAYOUT}\n` ? 'v1' : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function payloadPath(cacheDir: string, xetHash: string): string {
  if (!XET_HASH_RE.test(xetHash)) throw new Error(`Not a Xet hash: ${xetHash.slice(0, 80)}`);
  return path.join(storeDir(cacheDir), xetHash.slice(0, 2), xetHash);
}

export const manifestPath = (payload: string): string => `${payload}.refs`;
export const payloadLockPath = (payload: string): string => `${payload}${CACHE_NAMES.lock}`;

/** `models--org--name/blobs/<etag>` for a repo blob path in this cache, or null (Python's `_relative_blob_path`). */
export function relativeBlobPath(cacheDir: string, blob: string): string | null {
  const rel = path.relative(path.resolve(cacheDir), path.resolve(blob));
  const parts = rel.split(path.sep);
  if (parts.length !== 3 || !REPO_DIR_RE.test(parts[0] as string) || parts[1] !== CACHE_NAMES.blobs || !parts[2]) return null;
  const posix = parts.join('/');
  return /[\r\n]/.test(posix) ? null : posix;
}

/**
 * The payload a repo blob's link text leads to, when it is a managed store link (the same tests as
 * Python's `_shared_blob_target`): `<cache>/blobs/<xx>/<hash>` with xx the hash's first two digits.
 */
export function storeTargetOf(cacheDir: string, blob: string, linkText: string): string | null {
  if (relativeBlobPath(cacheDir, blob) === null) return null;
  const target = path.resolve(path.dirname(path.resolve(blob)), linkText);
  const rel = path.relative(path.resolve(storeDir(cacheDir)), target).split(path.sep);
  if (rel.length !== 2 || !XET_HASH_RE.test(rel[1] as string) || rel[0] !== (rel[1] as string).slice(0, 2)) return null;
  return path.join(storeDir(cacheDir), rel[0] as string, rel[1] as string);
}

/** The payload a repo blob links to now, or null (not a link, not into the store, unreadable). */
export function linkedPayload(cacheDir: string, blob: string): string | null {
  try {
    return storeTargetOf(cacheDir, blob, fs.readlinkSync(blob));
  } catch {
    return null;
  }
}

/**
 * The manifest's lines whose link still resolves to this payload, as absolute repo blob paths;
 * null when the manifest is missing or unreadable (then nothing may be collected).
 */
export function validReferences(cacheDir: string, payload: string): Set<string> | null {
  const manifest = manifestPath(payload);
  const st = lstat(manifest);
  if (!st?.isFile() || st.size > MAX_MANIFEST_BYTES) return null;
  let text: string;
  try {
    text = readUntrustedSync(manifest, MAX_MANIFEST_BYTES).toString('utf8');
  } catch {
    return null;
  }
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || path.isAbsolute(line) || line.split('/').includes('..')) continue;
    const candidate = path.join(cacheDir, ...line.split('/'));
    if (relativeBlobPath(cacheDir, candidate) === null) continue;
    let linkText: string;
    try {
      linkText = fs.readlinkSync(candidate);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Gone or not a link: not a reference. Anything else (EIO, EACCES): we cannot know, so nothing is collected.
      if (code === 'ENOENT' || code === 'EINVAL' || code === 'ENOTDIR') continue;
      return null;
    }
    if (storeTargetOf(cacheDir, candidate, linkText) === path.resolve(payload)) out.add(path.resolve(candidate));
  }
  return out;
}

export interface StorePayload {
  path: string;
  xetHash: string;
  size: number;
  mtimeMs: number;
}

/** Every canonical payload in a v1 store (regular files named by their hash in the right prefix folder). */
export function listPayloads(cacheDir: string): StorePayload[] {
  const dir = storeDir(cacheDir);
  const out: StorePayload[] = [];
  for (const prefix of readdir(dir)) {
    if (!/^[0-9a-f]{2}$/.test(prefix.name) || !prefix.isDirectory()) continue;
    for (const e of readdir(path.join(dir, prefix.name))) {
      if (!e.isFile() || !XET_HASH_RE.test(e.name) || !e.name.startsWith(prefix.name)) continue;
      const p = path.join(dir, prefix.name, e.name);
      const st = lstat(p);
      if (st?.isFile()) out.push({ path: p, xetHash: e.name, size: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return out;
}

function lstat(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

function readdir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
