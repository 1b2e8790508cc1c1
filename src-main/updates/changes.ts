/**
 * What changed between the cached revision and the new head, file by file (#26.2): added, removed,
 * changed (old and new sizes), renamed (the same bytes under a new path), and which files an update
 * fetches: the whole new revision when the cache holds the whole old one, otherwise what the cache
 * has of it (and what those files became). Pure: listings in, changes out.
 */
import type { FileChange } from '../contract/updates';

/** A file of a listing: its size and blob name (sha256 for LFS/Xet files, git sha1 otherwise). */
export interface ListedFile {
  size: number;
  etag: string;
  xetHash?: string | null;
}

export interface FileDiff {
  files: FileChange[];
  /** Paths of the new revision an update fetches. */
  selection: string[];
  /** Whether the cache holds every file of the old revision (then the whole new one is fetched). */
  whole: boolean;
}

/**
 * `before`: the old revision's listing (null when unknown: only what the cache holds is compared);
 * `held`: the paths the cache holds of it, with their blob names when known.
 */
export function diffFiles(
  before: ReadonlyMap<string, ListedFile> | null,
  after: ReadonlyMap<string, ListedFile>,
  held: ReadonlyMap<string, ListedFile>,
): FileDiff {
  const old = before ?? held;
  const whole = before !== null && [...before.keys()].every((p) => held.has(p));
  const files: FileChange[] = [];
  const removed = [...old.keys()].filter((p) => !after.has(p));
  const added = new Set([...after.keys()].filter((p) => !old.has(p)));
  // A removed path whose bytes reappear under an added path was renamed.
  const renamedTo = new Map<string, string>();
  for (const p of removed) {
    const etag = old.get(p)?.etag;
    const target = [...added].find((q) => after.get(q)?.etag === etag && ![...renamedTo.values()].includes(q));
    if (etag && target) renamedTo.set(p, target);
  }
  const renamedFrom = new Map([...renamedTo].map(([a, b]) => [b, a]));
  const selected = (p: string) => whole || held.has(p) || (renamedFrom.has(p) && held.has(renamedFrom.get(p) as string));
  for (const [p, f] of after) {
    const o = old.get(p);
    const from = renamedFrom.get(p);
    if (from !== undefined) files.push({ path: p, change: 'renamed', from, oldSize: old.get(from)?.size ?? null, newSize: f.size, selected: selected(p) });
    else if (!o) files.push({ path: p, change: 'added', oldSize: null, newSize: f.size, selected: selected(p) });
    else files.push({ path: p, change: o.etag === f.etag ? 'same' : 'changed', oldSize: o.size, newSize: f.size, selected: selected(p) });
  }
  for (const p of removed) if (!renamedTo.has(p)) files.push({ path: p, change: 'removed', oldSize: old.get(p)?.size ?? null, newSize: null, selected: false });
  const order = { changed: 0, renamed: 1, added: 2, removed: 3, same: 4 } as const;
  files.sort((a, b) => order[a.change] - order[b.change] || a.path.localeCompare(b.path));
  return { files, selection: files.filter((f) => f.selected).map((f) => f.path), whole };
}

/** Bytes that would cross the network: selected new files whose blob this machine does not hold. */
export function wholeFileTravel(after: ReadonlyMap<string, ListedFile>, selection: readonly string[], present: (etag: string) => boolean): number {
  let n = 0;
  for (const p of selection) {
    const f = after.get(p);
    if (f && !present(f.etag)) n += f.size;
  }
  return n;
}
