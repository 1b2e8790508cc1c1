/**
 * A blob opened for serving and checked against its name: the mirror never hands out a blob that
 * fails verification. The cache is shared (Python, other tools, the user), so the file is opened
 * through untrusted-file and hashed from the very handle it is served from: whole before a range of
 * it goes out (clients asking at once share one hash), or while a whole answer streams, its last
 * chunk held back until the hash is known. A result is remembered per process by the bytes'
 * identity on disk (device, inode, size, mtime, ctime).
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type fs from 'node:fs';
import { ApiError } from '../contract/errors';
import { openUntrusted, type UntrustedFile } from '../base/untrusted-file';
import { hashAlgorithm } from '../hub/blob-id';

const MAX_REMEMBERED = 10_000;
const verified = new Set<string>();
/** Blobs found bad: refused at once until their bytes change (a repair gives a new identity). */
const bad = new Set<string>();
const inFlight = new Map<string, Promise<string>>();

function identity(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

async function digest(file: UntrustedFile, etag: string): Promise<string> {
  const h = blobHasher(etag, file.stat.size);
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let pos = 0; ;) {
    const { bytesRead } = await file.fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    h.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return h.digest('hex');
}

/** Counters for tests and the bench: how many blobs were really hashed (whole, or while streamed). */
export const verifyStats = { hashed: 0 };

export interface OpenBlob extends UntrustedFile {
  /** Already checked by this process (these very bytes: same inode, size, times). */
  known: boolean;
  key: string;
}

/** The hash a blob's name is made with, ready to be fed its bytes (git's prefix included). */
export function blobHasher(etag: string, size: number): Hash {
  const { algo, prefix } = hashAlgorithm(etag, size);
  const h = createHash(algo);
  if (prefix) h.update(prefix);
  return h;
}

function remember(key: string): void {
  if (verified.size >= MAX_REMEMBERED) verified.delete(verified.values().next().value as string);
  verified.add(key);
}

/** Opens `blob` (a link inside `root` is followed) and checks its size; whether its bytes were verified is in `known`. */
export async function openBlob(blob: string, etag: string, size: number, root: string): Promise<OpenBlob> {
  const file = await openUntrusted(blob, { root, followLinks: true });
  if (file.stat.size !== size) {
    await file.fh.close().catch(() => undefined);
    throw new ApiError('INTEGRITY', `${blob} holds ${file.stat.size} bytes, not ${size}.`);
  }
  const key = `${etag}:${identity(file.stat)}`;
  if (bad.has(key)) {
    await file.fh.close().catch(() => undefined);
    throw new ApiError('INTEGRITY', `${blob} does not match its name (${etag}).`);
  }
  return { ...file, known: verified.has(key), key };
}

/** Hashes an opened blob whole (clients asking at once share one hash); throws INTEGRITY when it does not match. */
export async function verifyOpened(file: OpenBlob, etag: string): Promise<void> {
  if (file.known || verified.has(file.key)) return;
  let pending = inFlight.get(file.key);
  if (!pending) {
    verifyStats.hashed += 1;
    pending = digest(file, etag).finally(() => inFlight.delete(file.key));
    inFlight.set(file.key, pending);
  }
  if ((await pending) !== etag) {
    bad.add(file.key);
    throw new ApiError('INTEGRITY', `${file.realPath} does not match its name (${etag}).`);
  }
  remember(file.key);
}

/**
 * A pass-through that hashes a whole blob as it is sent and holds back its last chunk until the
 * hash is known: a blob that fails never reaches a client whole (the answer is cut short, so the
 * client discards it), and one that matches is remembered, so a multi-GB file starts at once.
 */
export function verifyingStream(file: OpenBlob, etag: string): Transform {
  verifyStats.hashed += 1;
  const h = blobHasher(etag, file.stat.size);
  let held: Buffer | null = null;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      h.update(chunk);
      const out = held;
      held = chunk;
      done(null, out ?? undefined);
    },
    flush(done) {
      if (h.digest('hex') !== etag) {
        bad.add(file.key);
        return done(new ApiError('INTEGRITY', `${file.realPath} does not match its name (${etag}).`));
      }
      remember(file.key);
      done(null, held ?? undefined);
    },
  });
}

/** Forgets every result (tests). */
export function forgetVerified(): void {
  verified.clear();
  bad.clear();
  verifyStats.hashed = 0;
}
