/**
 * Changing huggingface_hub 2.x's shared blob store the way Python does (docs/hub-protocol.md §1.13,
 * `utils/_shared_blobs.py`), always under the payload's lock (`<hash>.lock`, flock, 0666): manifest
 * lines are appended and fsynced before a link becomes visible, rewritten through a temp file, and a
 * payload is collected only when its manifest is readable and none of its lines still leads to it.
 * Beyond Python: a link into the store that its manifest does not list (a writer that did not
 * register it) keeps the payload too, and is registered, so nothing anyone links to is ever lost.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { lockFile, type HeldLock } from './blob-lock';
import { createExclusive, openLockFile, readUntrustedSync } from '../base/untrusted-file';
import { linkedPayload, manifestPath, payloadLockPath, relativeBlobPath, storeDir, storeState, validReferences, XET_HASH_RE } from './shared-store';

/** The payload's lock, as Python takes it (0666 so every user of a shared cache can take it). */
export function lockPayload(payload: string, signal?: AbortSignal): Promise<HeldLock> {
  return lockFile(payloadLockPath(payload), { mode: 0o666, pollMs: 50, ...(signal ? { signal } : {}) });
}

/** Is this a canonical payload path of this cache's v1 store? (Nothing else is ever collected.) */
export function isCanonicalPayload(cacheDir: string, payload: string): boolean {
  const rel = path.relative(path.resolve(storeDir(cacheDir)), path.resolve(payload)).split(path.sep);
  return rel.length === 2 && XET_HASH_RE.test(rel[1] as string) && rel[0] === (rel[1] as string).slice(0, 2) && storeState(cacheDir) === 'v1';
}

/**
 * Appends one reference and flushes it before the link it names is made visible (Python's order).
 * Called under the payload's lock, so the end of the file is ours to write at.
 */
export async function appendReference(cacheDir: string, payload: string, blob: string): Promise<void> {
  const rel = relativeBlobPath(cacheDir, blob);
  if (rel === null) throw new Error(`${blob} is not a repo blob of ${cacheDir}`);
  // Created if missing, never through a link, a regular file only (what a shared lock file needs too).
  const fh = await openLockFile(manifestPath(payload), 0o666);
  try {
    await fh.chmod(0o666).catch(() => undefined); // someone else's file in a shared cache: appending is what matters
    const line = Buffer.from(`${rel}\n`);
    const { size } = await fh.stat();
    const { bytesWritten } = await fh.write(line, 0, line.length, size);
    if (bytesWritten !== line.length) throw new Error(`could not append a whole line to ${manifestPath(payload)}`);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces the manifest with exactly these references (sorted, as Python writes it), atomically. */
export async function rewriteManifest(cacheDir: string, payload: string, references: Iterable<string>): Promise<void> {
  const manifest = manifestPath(payload);
  const lines = [...references].map((b) => relativeBlobPath(cacheDir, b)).filter((r): r is string => r !== null);
  const tmp = `${manifest}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fh = await createExclusive(tmp, 0o666);
    try {
      await fh.writeFile(
        [...new Set(lines)]
          .sort()
          .map((l) => `${l}\n`)
          .join(''),
      );
      await fh.chmod(0o666).catch(() => undefined);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, manifest);
  } finally {
    await fs.promises.rm(tmp, { force: true });
  }
}

/** Manifest lines whose link text leads to this payload (whether or not it is there right now). */
function listedLinksTo(cacheDir: string, payload: string): string[] {
  const manifest = manifestPath(payload);
  let text = '';
  try {
    text = readUntrustedSync(manifest, 1 << 30).toString('utf8');
  } catch {
    return [];
  }
  return text
    .split(/\r?\n/)
    .filter((l) => l && !path.isAbsolute(l) && !l.split('/').includes('..'))
    .map((l) => path.join(cacheDir, ...l.split('/')))
    .filter((b) => linkedPayload(cacheDir, b) === path.resolve(payload));
}

export type SweepOutcome = 'collected' | 'kept' | 'unknown';

/**
 * Collects one payload if nothing leads to it any more. `knownLinks`: repo blobs a scan saw linking
 * to it, registered or not. Returns what happened and the bytes freed.
 */
export async function sweepPayload(
  cacheDir: string,
  payload: string,
  knownLinks: Iterable<string> = [],
  signal?: AbortSignal,
): Promise<{ outcome: SweepOutcome; freed: number }> {
  if (!isCanonicalPayload(cacheDir, payload)) return { outcome: 'unknown', freed: 0 };
  const lock = await lockPayload(payload, signal);
  try {
    const refs = validReferences(cacheDir, payload);
    if (refs === null) return { outcome: 'unknown', freed: 0 }; // no readable manifest: leak rather than lose
    const unlisted = [...knownLinks].map((l) => path.resolve(l)).filter((l) => !refs.has(l) && linkedPayload(cacheDir, l) === path.resolve(payload));
    if (refs.size || unlisted.length) {
      await rewriteManifest(cacheDir, payload, [...refs, ...unlisted]);
      return { outcome: 'kept', freed: 0 };
    }
    const st = fs.lstatSync(payload, { throwIfNoEntry: false });
    if (!st?.isFile()) return { outcome: 'unknown', freed: 0 };
    // Set aside first, then look again: a writer whose lock we cannot see (another machine on a
    // network drive) may have registered a link meanwhile; then the payload goes back.
    const aside = `${payload}.${randomBytes(4).toString('hex')}.collecting`;
    await fs.promises.rename(payload, aside);
    const late = listedLinksTo(cacheDir, payload);
    if (late.length) {
      await fs.promises.rename(aside, payload);
      await rewriteManifest(cacheDir, payload, late);
      return { outcome: 'kept', freed: 0 };
    }
    await fs.promises.unlink(aside);
    await fs.promises.rm(manifestPath(payload), { force: true });
    return { outcome: 'collected', freed: st.size };
  } finally {
    await lock.release().catch(() => undefined);
  }
}
