/**
 * sha256 of files in other apps' folders, hashed once: remembered by path, size and mtime in the
 * data folder, so a second scan or an adoption does not read tens of GB again. A file that changes
 * while it is hashed (another app still writing it) is refused, not remembered.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { readOwnFileSync, writePrivateFileAtomic } from '../base/atomic-write';
import { openUntrusted, type UntrustedOpenOptions } from '../base/untrusted-file';
import { createDiskHasher } from '../downloads/hasher';
import { SHA256_RE } from '../hub/blob-id';

/** Any 64-hex etag makes the disk hasher compute a plain sha256 (LFS files are named by it). */
const SHA256_SELECTOR = '0'.repeat(64);

interface Remembered {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** Entries kept: more files than any set of apps holds, so the record stays small. */
const MAX_ENTRIES = 50_000;

export class FileHashes {
  readonly #file: string;
  #known = new Map<string, Remembered>();
  /** Inside batch(): the record is written once at the end, not after every file. */
  #deferred = 0;
  #dirty = false;

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, 'file-hashes.json');
    try {
      const parsed = JSON.parse(readOwnFileSync(this.#file)) as { files?: Record<string, Remembered> };
      for (const [p, r] of Object.entries(parsed.files ?? {})) {
        if (typeof r?.sha256 === 'string' && SHA256_RE.test(r.sha256) && Number.isFinite(r.size) && Number.isFinite(r.mtimeMs)) this.#known.set(p, r);
      }
    } catch {
      // none yet, or unreadable: hash again
    }
  }

  /** The remembered hash, if the file is unchanged since. */
  known(file: string, st: fs.Stats): string | null {
    const r = this.#known.get(file);
    return r && r.size === st.size && r.mtimeMs === st.mtimeMs ? r.sha256 : null;
  }

  /**
   * `opts`: where the file must be (another app's folder: its links may not lead out of it). The
   * file is opened as untrusted: a FIFO or a device is refused, never waited on.
   */
  async sha256(file: string, onProgress?: (done: number, total: number) => void, signal?: AbortSignal, opts: UntrustedOpenOptions = {}): Promise<string> {
    const { fh, stat: before } = await openUntrusted(file, opts);
    const known = this.known(file, before);
    if (known) {
      await fh.close();
      return known;
    }
    // The downloads' disk hasher: a big file is read and hashed in a worker, off the core's thread.
    const hasher = createDiskHasher(fh.fd, SHA256_SELECTOR, before.size);
    const stop = () => void hasher.dispose();
    signal?.addEventListener('abort', stop, { once: true });
    const ticker = onProgress ? setInterval(() => onProgress(hasher.hashed, before.size), 250) : null;
    let sha256: string;
    try {
      onProgress?.(0, before.size);
      hasher.advance(before.size);
      sha256 = await hasher.digest();
      signal?.throwIfAborted();
      onProgress?.(before.size, before.size);
    } finally {
      if (ticker) clearInterval(ticker);
      signal?.removeEventListener('abort', stop);
      await hasher.dispose();
      await fh.close();
    }
    const after = await fs.promises.stat(file).catch(() => null);
    if (!after || after.size !== before.size || after.mtimeMs !== before.mtimeMs)
      throw new ApiError('CONFLICT', `${file} changed while it was being read (is another app still writing it?). Try again once it is finished.`);
    this.#known.set(file, { size: before.size, mtimeMs: before.mtimeMs, sha256 });
    this.#dirty = true;
    if (this.#known.size > MAX_ENTRIES) this.#known.delete(this.#known.keys().next().value as string);
    if (!this.#deferred) this.#save();
    return sha256;
  }

  /** Hashes many files (a scan) writing the record once, not once per file (it holds up to 50,000 entries). */
  async batch<T>(fn: () => Promise<T>): Promise<T> {
    this.#deferred++;
    try {
      return await fn();
    } finally {
      if (--this.#deferred === 0) this.#save();
    }
  }

  #save(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    writePrivateFileAtomic(this.#file, JSON.stringify({ version: 1, files: Object.fromEntries(this.#known) }));
  }
}
