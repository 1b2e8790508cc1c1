/**
 * "Download it back and verify": every published file fetched from the Hub at the new commit
 * (through the same token rule as downloads: the CDN never sees it) and hashed as it streams,
 * never stored, then compared with the sha256 of the file here. It proves the Hub serves exactly
 * what was published; putting the repo in the cache stays the user's choice.
 */
import { createHash } from 'node:crypto';
import type { HubHttp } from '../hub/http';
import { resolveUrl } from '../hub/resolve';
import type { RepoRef } from '../hub/repo-id';

/** How far past a file's size an answer is read before it is called longer (a fetch chunk is at most 64 KiB). */
const LONGER_BY = 1 << 20;

export interface VerifyFile {
  path: string;
  size: number;
  sha256: string;
}

export async function verifyPublished(
  hub: HubHttp,
  repo: RepoRef,
  commit: string,
  files: VerifyFile[],
  onFile: (checked: number, mismatch: string | null) => void,
  signal?: AbortSignal,
): Promise<string[]> {
  const mismatches: string[] = [];
  let checked = 0;
  for (const f of files) {
    const res = await hub.fetch(resolveUrl(hub, repo, commit, f.path), {
      ctx: { repo: repo.id, revision: commit, path: f.path },
      // The body is the file: read up to its size and a little more, enough to see a longer answer
      // (a mismatch, named like any other) rather than refuse the whole check.
      maxBodyBytes: f.size + LONGER_BY,
      ...(signal ? { signal } : {}),
    });
    const hash = createHash('sha256');
    let size = 0;
    const reader = res.body?.getReader();
    for (;;) {
      const next = reader ? await reader.read() : { done: true as const, value: undefined };
      if (next.done) break;
      hash.update(next.value);
      size += next.value.byteLength;
      if (size > f.size) {
        await reader?.cancel().catch(() => undefined);
        break;
      }
    }
    const ok = size === f.size && hash.digest('hex') === f.sha256;
    checked++;
    if (!ok) mismatches.push(f.path);
    onFile(checked, ok ? null : f.path);
  }
  return mismatches;
}
