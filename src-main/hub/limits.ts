/**
 * Bounds on what the Hub may tell us. Every number from the Hub becomes a loop bound, an allocation
 * or a file size, so each one is checked to be a safe non-negative integer of plausible size first,
 * and every body read whole has a cap.
 */

/** Largest file Hubcap will download: the Hub's own LFS limit is 50 GB, so 1 TiB is never real. */
export const MAX_FILE_BYTES = 2 ** 40;

/** Bodies read whole: JSON answers (model info of a 100k-file repo is ~10 MB), error bodies, cards. */
export const BODY_LIMITS = {
  json: 32 << 20,
  error: 64 << 10,
  card: 512 << 10,
};

/** Tree listings: pages followed and entries kept (a million-file dataset is 1000 pages of 1000). */
export const LISTING_LIMITS = {
  pages: 5_000,
  entries: 2_000_000,
};

export function isByteCount(n: unknown, max = MAX_FILE_BYTES): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= max;
}

/** A Content-Length / X-Linked-Size header: decimal digits only, within bounds; null otherwise. */
export function parseByteCount(value: string | null | undefined, max = MAX_FILE_BYTES): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (!/^\d{1,16}$/.test(v)) return null;
  const n = Number(v);
  return isByteCount(n, max) ? n : null;
}
