/**
 * sha256 of files in other apps' folders, hashed once: remembered by path, size and mtime in the
 * data folder, so a second scan or an adoption does not read tens of GB again. A file that changes
 * while it is hashed (another app still writing it) is refused, not remembered.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { writePrivateFileAtomic } from '../app/atomic-write';

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

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, 'file-hashes.json');
    try {
      const parsed = JSON.parse(fs.readFileSync(this.#file, 'utf8')) as { files?: Record<string, Remembered> };
      for (const [p, r] of Object.entries(parsed.files ?? {})) {
        if (typeof r?.sha256 === 'string' && /^[0-9a-f]{64}$/.test(r.sha256) && Number.isFinite(r.size) && Number.isFinite(r.mtimeMs)) this.#known.set(p, r);
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

  async sha256(file: string, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<string> {
    const before = await fs.promises.stat(file);
    const known = this.known(file, before);
    if (known) return known;
    const h = createHash('sha256');
    let done = 0;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 << 20, signal })) {
      h.update(chunk as Buffer);
      done += (chunk as Buffer).length;
      onProgress?.(done, before.size);
    }
    const after = await fs.promises.stat(file);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || done !== before.size)
      throw new ApiError('CONFLICT', `${file} changed while it was being read (is another app still writing it?). Try again once it is finished.`);
    const sha256 = h.digest('hex');
    this.#known.set(file, { size: before.size, mtimeMs: before.mtimeMs, sha256 });
    if (this.#known.size > MAX_ENTRIES) this.#known.delete(this.#known.keys().next().value as string);
    writePrivateFileAtomic(this.#file, JSON.stringify({ version: 1, files: Object.fromEntries(this.#known) }));
    return sha256;
  }
}
