/**
 * The "what changed" of one branch of a cached repo (#26.2): the commits between the cached one and
 * the new head, every file's change with old and new sizes, what GGUF headers say changed, and the
 * bytes an update would move. Read from the Hub (listing of the new head; of the old commit only
 * when no trees/ record has it) and from the cache.
 */
import path from 'node:path';
import type { CachedRepo, CachedRevision, CacheScan } from '../cache/scan';
import { readTreeRecord } from '../cache/tree-record';
import { formatBytes, plural } from '../contract/present/format';
import type { UpdateDetails } from '../contract/updates';
import type { HubHttp } from '../hub/http';
import type { RepoRef } from '../hub/repo-id';
import { blobIdOf, listTree } from '../hub/tree';
import { estimateDelta } from '../downloads/xet-delta-estimate';
import { diffFiles, wholeFileTravel, type ListedFile } from './changes';
import { compareGguf, hubGgufHeader, localGgufHeader } from './gguf-changes';
import { commitsSince } from './hub-refs';

/** GGUF headers compared per details (each costs a few Range reads). */
const MAX_GGUF_COMPARED = 4;
/** An estimate that reads old copies (hashing them once) and asks the CAS may take a while, not forever. */
const ESTIMATE_DEADLINE_MS = 120_000;

/**
 * Bytes that would travel for the selected files after reuse of local chunks (the Xet delta
 * engine's estimate), and the files whose old local copy no longer matches its sha256 (nothing is
 * reused from them); null when it cannot say (then whole files not held are counted).
 */
export type TravelEstimate = (input: {
  hub: HubHttp;
  cacheDir: string;
  repo: RepoRef;
  to: string;
  files: { path: string; size: number; etag: string; xetHash: string | null }[];
}) => Promise<{ bytes: number; stale: string[] } | null>;

/** The download engine's own estimate (downloads/xet-delta-estimate.ts): the code the update will run. */
export const deltaEstimate: TravelEstimate = async ({ hub, cacheDir, repo, to, files }) => {
  const e = await estimateDelta(
    hub,
    { cacheDir, repo, commit: to, files: files.map((f) => ({ path: f.path, size: f.size, etag: f.etag, ...(f.xetHash ? { xetHash: f.xetHash } : {}) })) },
    { signal: AbortSignal.timeout(ESTIMATE_DEADLINE_MS) },
  );
  return { bytes: e.downloadBytes, stale: e.files.filter((f) => f.stale.length > 0).map((f) => f.path) };
};

/** Every blob name the cache holds (linked files), for "already on this machine". */
export function heldBlobs(scan: CacheScan): Set<string> {
  const out = new Set<string>();
  for (const r of scan.repos) for (const v of r.revisions) for (const f of v.files) if (f.linked) out.add(path.basename(f.blobPath));
  return out;
}

function heldFiles(rev: CachedRevision): Map<string, ListedFile> {
  // A copy (no-symlink cache) has no blob name we can trust: it never matches a new file.
  return new Map(rev.files.map((f) => [f.path, { size: f.size, etag: f.linked ? path.basename(f.blobPath) : `copy:${f.path}` }]));
}

const listed = (files: Awaited<ReturnType<typeof listTree>>) => new Map(files.map((f) => [f.path, { size: f.size, etag: blobIdOf(f), xetHash: f.xetHash }]));

export interface DetailsInput {
  hub: HubHttp;
  scan: CacheScan;
  repo: CachedRepo;
  branch: string;
  from: string;
  to: string;
  estimate?: TravelEstimate | undefined;
}

export async function updateDetails({
  hub,
  scan,
  repo,
  branch,
  from,
  to,
  estimate,
}: DetailsInput): Promise<UpdateDetails & { selection: string[]; whole: boolean }> {
  const ref: RepoRef = { type: repo.type, id: repo.id };
  const rev = repo.revisions.find((r) => r.commit === from);
  const held = rev ? heldFiles(rev) : new Map<string, ListedFile>();
  const [history, after, before] = await Promise.all([
    commitsSince(hub, ref, to, from),
    listTree(hub, ref, to).then(listed),
    (async () => {
      const recorded = readTreeRecord(repo.path, from);
      if (recorded) return new Map([...recorded].map(([p, f]) => [p, { size: f.size, etag: f.etag }]));
      // A force-pushed-away commit may be gone from the Hub: then only what the cache holds is compared.
      return listTree(hub, ref, from).then(listed, () => null);
    })(),
  ]);
  const diff = diffFiles(before, after, held);
  const present = heldBlobs(scan);
  let bytesToTravel = wholeFileTravel(after, diff.selection, (e) => present.has(e));
  let estimateKind: UpdateDetails['estimate'] = 'whole-files';
  const travelling = diff.selection.flatMap((p) => {
    const f = after.get(p);
    return f && !present.has(f.etag) ? [{ path: p, size: f.size, etag: f.etag, xetHash: f.xetHash ?? null }] : [];
  });
  // Only Xet files can reuse chunks; without one the whole-file count is the estimate.
  if (estimate && travelling.some((f) => f.xetHash)) {
    const e = await estimate({ hub, cacheDir: scan.root, repo: ref, to, files: travelling }).catch(() => null);
    if (e && Number.isSafeInteger(e.bytes) && e.bytes >= 0) {
      bytesToTravel = Math.min(bytesToTravel, e.bytes);
      estimateKind = 'xet-chunks';
      for (const f of diff.files)
        if (e.stale.includes(f.path)) f.note = 'Your old copy no longer matches its sha256: nothing is reused from it, the whole file travels.';
    }
  }
  // GGUF metadata: the first part of each changed model file the cache holds.
  const ggufs = diff.files.filter((f) => f.change === 'changed' && f.selected && /\.gguf$/i.test(f.path) && !/-0000[2-9]-of-/.test(f.path) && held.has(f.path));
  await Promise.all(
    ggufs.slice(0, MAX_GGUF_COMPARED).map(async (f) => {
      const result = await compareGguf(
        // Links followed inside the cache only: a huggingface_hub 2.x repo blob leads into the shared store at its root.
        () => localGgufHeader(path.join(rev?.snapshotPath ?? '', f.path), scan.root),
        () => hubGgufHeader(hub, repo.id, to, f.path),
      );
      if ('changes' in result) f.gguf = result.changes;
      else f.ggufNote = result.note;
    }),
  );
  const newRevisionBytes = diff.selection.reduce((a, p) => a + (after.get(p)?.size ?? 0), 0);
  const changed = diff.files.filter((f) => f.change !== 'same').length;
  return {
    repo: `${repo.type}:${repo.id}`,
    branch,
    from,
    to,
    diverged: !history.found && history.complete,
    commits: history.commits,
    commitsComplete: history.found,
    files: diff.files,
    newRevisionBytes,
    bytesToTravel,
    estimate: estimateKind,
    summary: `${plural(changed, 'file')} changed · ${formatBytes(newRevisionBytes)} new revision · ${formatBytes(bytesToTravel)} to download`,
    selection: diff.selection,
    whole: diff.whole,
  };
}
