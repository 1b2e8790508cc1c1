/**
 * A blob opened for serving, checked against its name first: the mirror never hands out bytes
 * that fail verification. The cache is shared (Python, other tools, the user), so the file is
 * opened through untrusted-file and hashed from the very handle it is then served from; a result is
 * remembered per process by the bytes' identity on disk (device, inode, size, mtime, ctime), and
 * clients asking for the same unverified blob at once share one hash.
 */
import { createHash } from 'node:crypto';
import type fs from 'node:fs';
import { ApiError } from '../contract/errors';
import { openUntrusted, type UntrustedFile } from '../app/untrusted-file';
import { hashAlgorithm } from '../hub/blob-id';

const MAX_REMEMBERED = 10_000;
const verified = new Set<string>();
const inFlight = new Map<string, Promise<string>>();

function identity(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

async function digest(file: UntrustedFile, etag: string): Promise<string> {
  const { algo, prefix } = hashAlgorithm(etag, file.stat.size);
  const h = createHash(algo);
  if (prefix) h.update(prefix);
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let pos = 0; ;) {
    const { bytesRead } = await file.fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    h.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return h.digest('hex');
}

/** Counters for tests and the bench: how many blobs were really hashed. */
export const verifyStats = { hashed: 0 };

/**
 * Opens `blob` (a link inside `root` is followed) and checks it hashes to `etag` with `size` bytes.
 * Throws INTEGRITY when it does not; the caller closes `fh`.
 */
export async function openVerified(blob: string, etag: string, size: number, root: string): Promise<UntrustedFile> {
  const file = await openUntrusted(blob, { root, followLinks: true });
  try {
    if (file.stat.size !== size) throw new ApiError('INTEGRITY', `${blob} holds ${file.stat.size} bytes, not ${size}.`);
    const key = `${etag}:${identity(file.stat)}`;
    if (!verified.has(key)) {
      let pending = inFlight.get(key);
      if (!pending) {
        verifyStats.hashed += 1;
        pending = digest(file, etag).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      if ((await pending) !== etag) throw new ApiError('INTEGRITY', `${blob} does not match its name (${etag}).`);
      if (verified.size >= MAX_REMEMBERED) verified.delete(verified.values().next().value as string);
      verified.add(key);
    }
    return file;
  } catch (error) {
    await file.fh.close().catch(() => undefined);
    throw error;
  }
}

/** Forgets every result (tests). */
export function forgetVerified(): void {
  verified.clear();
  verifyStats.hashed = 0;
}
