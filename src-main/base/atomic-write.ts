/**
 * Writing a file atomically: a unique temp file beside it, then rename, so a reader (or a crash)
 * never sees half a file. Private data (conversations, the download queue) is written 0600 from
 * the first byte, like settings.json; temp files a crash left behind are cleaned at start.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const TEMP = /\.[0-9a-f]{8}\.tmp$/;

export interface AtomicWriteOptions {
  /** 0o600 for private data; otherwise what the umask gives a new file. */
  mode?: number;
}

export function writeFileAtomic(file: string, data: string | Buffer, opts: AtomicWriteOptions = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { flag: 'wx', ...(opts.mode !== undefined ? { mode: opts.mode } : {}) });
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * Reads back a file of ours (a record in the data folder, a journal we wrote): the twin of the
 * writers above. Paths others control go through untrusted-file.ts instead.
 */
export function readOwnFileSync(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/** Private data: readable and writable by this user only. */
export function writePrivateFileAtomic(file: string, data: string | Buffer): void {
  writeFileAtomic(file, data, { mode: 0o600 });
}

/**
 * Removes temp files of interrupted atomic writes in a folder (not recursive). Only ones older than
 * a minute: another process sharing the folder may be between its write and its rename right now.
 */
export function cleanStaleTempFiles(dir: string, now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!TEMP.test(name)) continue;
    const p = path.join(dir, name);
    try {
      const st = fs.lstatSync(p);
      if (st.isFile() && now - st.mtimeMs > 60_000) {
        fs.rmSync(p, { force: true });
        removed.push(p);
      }
    } catch {
      // gone already
    }
  }
  return removed;
}
