/**
 * How a download fails, in words: a cancel, a disk that is full or refuses writes (how much is
 * needed, how much is free, where), and the last transient error once the retries are spent (what
 * was tried, and the one next step). Shared by the classic and the Xet roads.
 */
import fs from 'node:fs';
import { formatBytes } from '../contract/present/format';
import { HubError } from '../hub/errors';
import type { HubHttp } from '../hub/http';

/** A wait that a cancel ends at once (rejecting with the signal's reason). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

export function cancelledError(): HubError {
  return new HubError('CANCELLED', 'The download was stopped.');
}

export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const s = await fs.promises.statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** A write, close, rename or mkdir failure in words: how much space is needed, and where. */
export async function diskError(error: unknown, dir: string, needed: number, file: string | undefined): Promise<HubError | null> {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const what = file ?? 'this file';
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const free = await freeBytes(dir);
    return new HubError(
      'DISK_FULL',
      `The disk holding ${dir} is full: ${what} needs ${formatBytes(needed)} more${free !== null ? ` and ${formatBytes(free)} are free` : ''}. The partial download is kept: free some space, then resume.`,
      { path: file, serverMessage: code },
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new HubError('INVALID_PATH', `Hubcap cannot write to ${dir} (${code}).`);
  if (code === 'EIO') return new HubError('DISK_ERROR', `The disk reported an I/O error while writing ${what} in ${dir}. The partial download is kept.`);
  return null;
}

/** The last transient error, said once with what was tried and the one next step. */
export function gaveUp(e: HubError, attempts: number, file: string, host: string, hub: HubHttp): HubError {
  const where = hub.isHubHost(host) ? `the Hub (${host})` : `the download host (${host})`;
  const reason = e.message.replace(/\.$/, '');
  const next =
    e.code === 'RATE_LIMITED'
      ? 'Wait a few minutes, then press Retry.'
      : e.code === 'SERVER_ERROR'
        ? 'The service may be having trouble: press Retry later.'
        : 'Check the network connection, then press Retry; the partial download is kept.';
  return new HubError(e.code, `${file} could not be downloaded from ${where} after ${attempts} attempts (last: ${lowerFirst(reason)}). ${next}`, {
    ...e.details,
    host,
    attempts,
  });
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}
