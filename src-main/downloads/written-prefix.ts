/**
 * A read-only view of a blob while a download writes it (the mirror's pull-through, #28.2): how many
 * bytes from its start are written, read from the files the writer keeps anyway, never a hook in
 * the engine. A partial with a ranges record (range-state.ts, written by several connections or by
 * the Xet road) has written what its record's first span covers; one without a record is a prefix
 * as long as the file (one stream, ours or Python's). The observer holds the partial open, so the
 * bytes it reads are the ones the writer wrote, and it tells when that file became the blob (the
 * writer renamed it in place after its check) or was dropped (a restart after a failed check, a
 * cleanup): what was read from a dropped attempt is worth nothing.
 *
 * The order of the checks matters: the file's size is taken before the record is read, and the
 * path is checked to still name the open file after. A record appears before any connection writes
 * past the prefix and is removed only once every byte is written, so a size taken while there was
 * no record is a prefix.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openUntrusted, type UntrustedFile } from '../base/untrusted-file';
import { isPartialOf } from './partial-file';
import { readRanges, SpanSet } from './range-state';

export type WrittenState =
  /** No partial and no blob yet (the download has not started, or is between attempts). */
  | { kind: 'none' }
  /** Bytes [0, prefix) of the partial held open are written. */
  | { kind: 'writing'; prefix: number }
  /** The file held open is the blob under its name now, whole. */
  | { kind: 'blob' }
  /** The partial held open was dropped or replaced: its bytes are not the blob's. */
  | { kind: 'dropped' };

export class WrittenPrefix {
  readonly #blobsDir: string;
  readonly #etag: string;
  readonly #size: number;
  #file: UntrustedFile | null = null;
  #path: string | null = null;
  #isBlob = false;

  constructor(blobsDir: string, etag: string, size: number) {
    this.#blobsDir = blobsDir;
    this.#etag = etag;
    this.#size = size;
  }

  /** The file held open (the partial, or the blob once it is in place); null before the first partial is seen. */
  get handle(): fs.promises.FileHandle | null {
    return this.#file?.fh ?? null;
  }

  /** Where the bytes stand now. Opens the newest partial (or the blob) on the first look that finds one. */
  async look(): Promise<WrittenState> {
    if (!this.#file && !(await this.#open())) return { kind: 'none' };
    const file = this.#file as UntrustedFile;
    if (this.#isBlob) return (await this.#isTheBlob(file)) ? { kind: 'blob' } : { kind: 'dropped' };
    const size = (await file.fh.stat()).size;
    const record = await readRanges(this.#path as string, this.#size);
    const now = await fs.promises.stat(this.#path as string).catch(() => null);
    if (now && now.ino === file.stat.ino && now.dev === file.stat.dev) {
      return { kind: 'writing', prefix: Math.min(this.#size, record === null ? size : new SpanSet(record).prefix()) };
    }
    this.#isBlob = await this.#isTheBlob(file);
    return this.#isBlob ? { kind: 'blob' } : { kind: 'dropped' };
  }

  /** `dev:ino` of the file held open, null when none is. */
  get identity(): string | null {
    return this.#file ? `${this.#file.stat.dev}:${this.#file.stat.ino}` : null;
  }

  /** Does the blob's name, whole, name the file held open (a blob replaced since is not)? */
  async #isTheBlob(file: UntrustedFile): Promise<boolean> {
    const blob = await fs.promises.stat(path.join(this.#blobsDir, this.#etag)).catch(() => null);
    return blob !== null && blob.ino === file.stat.ino && blob.dev === file.stat.dev && blob.size === this.#size;
  }

  /** Lets go of the file held open, so the next look finds the writer's current partial. */
  async release(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    this.#path = null;
    this.#isBlob = false;
    await file?.fh.close().catch(() => undefined);
  }

  async #open(): Promise<boolean> {
    const blob = path.join(this.#blobsDir, this.#etag);
    const st = await fs.promises.lstat(blob).catch(() => null);
    if (st?.isFile() && st.size === this.#size) {
      this.#file = await openUntrusted(blob, { root: this.#blobsDir }).catch(() => null);
      this.#path = blob;
      this.#isBlob = this.#file !== null;
      return this.#isBlob;
    }
    const names = await fs.promises.readdir(this.#blobsDir).catch(() => [] as string[]);
    let newest: { file: string; at: number } | null = null;
    for (const name of names) {
      if (!isPartialOf(name, this.#etag)) continue;
      const p = path.join(this.#blobsDir, name);
      const at = (await fs.promises.lstat(p).catch(() => null))?.mtimeMs ?? -1;
      if (at >= 0 && (!newest || at > newest.at)) newest = { file: p, at };
    }
    if (!newest) return false;
    this.#file = await openUntrusted(newest.file, { root: this.#blobsDir }).catch(() => null);
    this.#path = this.#file ? newest.file : null;
    return this.#file !== null;
  }
}

/** `dev:ino` of the blob under its name now (of any size), null when there is none. */
export async function blobIdentity(blobsDir: string, etag: string): Promise<string | null> {
  const st = await fs.promises.stat(path.join(blobsDir, etag)).catch(() => null);
  return st ? `${st.dev}:${st.ino}` : null;
}
