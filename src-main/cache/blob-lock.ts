/**
 * The lock huggingface_hub takes before writing a blob (docs/hub-protocol.md §1.5):
 * `<cache>/.locks/<repo folder>/<etag>.lock`, an OS advisory lock that Python's `filelock` honours,
 * created mode 0664, waited on without a deadline. An OS lock dies with its process, so a crash
 * never leaves the blob locked.
 *
 * Why fd-lock 1.x: it is flock(2) on POSIX and LockFile on byte 0 on Windows, exactly what Python's
 * filelock does (UnixFileLock / WindowsFileLock), as an N-API addon with prebuilt binaries, so it
 * loads in Node and Electron alike. fd-lock 2.x and fs-native-extensions take Linux OFD fcntl
 * locks instead, which never conflict with flock locks: they would not exclude Python at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import type FdLock from 'fd-lock';
import { lazyPackage } from '../base/lazy-package';
import { openLockFile } from '../base/untrusted-file';
import { CACHE_NAMES, locksDir } from './layout';

/** fd-lock, loaded at the first lock: commands that take no lock never pay for it. */
const fdLock = lazyPackage<typeof FdLock>('fd-lock');

export interface HeldLock {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockWaitOptions {
  signal?: AbortSignal;
  /** Called once, when the lock is found held by another program. */
  onWaiting?: () => void;
  /** Poll interval while another program holds it (Python's filelock polls every 50 ms). */
  pollMs?: number;
  /** The lock file's mode: 0664 for blob locks, 0666 for shared-store payload locks (as Python makes them). */
  mode?: number;
}

export function blobLockPath(cacheDir: string, repoFolder: string, etag: string): string {
  return path.join(locksDir(cacheDir, repoFolder), `${etag}${CACHE_NAMES.lock}`);
}

/** Opens the lock file (0664, like Python; never through a link) and tries once; null when another holder has it. */
async function tryOnce(file: string, mode = 0o664): Promise<HeldLock | null> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const fh = await openLockFile(file, mode);
  let locked = false;
  try {
    // Python chmods after opening so a cache shared by several users stays lockable by all.
    if (!(await fh.stat()).isFile()) throw new Error(`${file} is not a regular file: it cannot be a lock`);
    await fh.chmod(mode).catch(() => undefined);
    locked = fdLock()(fh.fd);
    if (!locked) return null;
    // Someone may have deleted (or replaced) the lock file between our open and our lock: then we
    // hold a lock nobody else can see. Check that the path still names the file we locked.
    const [mine, now] = await Promise.all([fh.stat(), fs.promises.stat(file).catch(() => null)]);
    if (mine.nlink === 0 || !now || now.ino !== mine.ino || now.dev !== mine.dev) {
      fdLock().unlock(fh.fd);
      locked = false;
      return null;
    }
    return {
      path: file,
      release: async () => {
        // Closing the descriptor releases the flock; the file stays, as Python leaves it on POSIX.
        fdLock().unlock(fh.fd);
        await fh.close();
      },
    };
  } finally {
    if (!locked) await fh.close();
  }
}

/** Takes the lock, waiting as long as another program holds it (no deadline; the signal cancels). */
export async function lockFile(file: string, opts: LockWaitOptions = {}): Promise<HeldLock> {
  let told = false;
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
    const held = await tryOnce(file, opts.mode);
    if (held) return held;
    if (!told) {
      told = true;
      opts.onWaiting?.();
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        opts.signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, opts.pollMs ?? 100);
      opts.signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** Takes the lock only if it is free right now (for "is anyone writing this?" checks). */
export function tryLockFile(file: string, mode?: number): Promise<HeldLock | null> {
  return tryOnce(file, mode);
}

/** Is some process (this one included) holding this lock right now? Never creates anything. */
export async function isLockHeld(file: string): Promise<boolean> {
  if (!fs.existsSync(file)) return false;
  const held = await tryOnce(file).catch(() => null);
  if (!held) return true;
  await held.release();
  return false;
}
