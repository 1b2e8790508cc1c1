/**
 * `hubcap download REPO [FILES|PATTERNS…] --local-dir DIR [--overwrite]`: the files at their real
 * paths in DIR with huggingface_hub's local-dir metadata, through the same handler as "Download to a
 * folder…". Each file says how it came (already there, from the cache, from the network, resumed).
 */
import path from 'node:path';
import { formatBytes, plural } from '../contract/present/format';
import { localDirVia } from '../contract/present/local-dir-via';
import type { LocalDirProgress } from '../contract/local-dir';
import type { RepoType } from '../contract/keys';
import { repoKey } from '../contract/keys';
import { call, cliCore } from './context';
import { stopOnSignals } from './signals';

export interface LocalDirArgs {
  repo: string;
  repoType: RepoType;
  revision: string;
  selectors: string[];
  dir: string;
  overwrite: boolean;
  json: boolean;
  quiet: boolean;
  cacheDir: string | undefined;
}

/** The live line while a folder download runs: the file, n of m, its bytes so far (resumed ones included). */
export function localDirProgressLine(p: LocalDirProgress): string {
  const pct = p.size ? Math.floor((p.bytes / p.size) * 100) : 100;
  return `\r${p.file}  ${String(pct).padStart(3)}%  ${formatBytes(p.bytes)} / ${formatBytes(p.size)}  [${p.filesDone + 1}/${p.files} files]\x1b[K`;
}

export async function downloadToFolder(a: LocalDirArgs): Promise<number> {
  const core = await cliCore({ cacheDir: a.cacheDir });
  const dir = path.resolve(a.dir);
  // Ctrl-C stops the download first: its temp file stays under Python's name, and the next run
  // (ours or hf download's) resumes it.
  stopOnSignals(async () => {
    await call(core, 'localDir.cancel', { dir }).catch(() => undefined);
    await core.close();
  });
  const tty = process.stderr.isTTY && !a.quiet && !a.json;
  let shown = false;
  core.events.on((name, payload) => {
    if (!tty || name !== 'localDir.progress' || (payload as LocalDirProgress).dir !== dir) return;
    shown = true;
    process.stderr.write(localDirProgressLine(payload as LocalDirProgress));
  });
  const started = Date.now();
  try {
    const r = await call(core, 'localDir.download', {
      repo: repoKey({ type: a.repoType, id: a.repo }),
      revision: a.revision,
      dir,
      ...(a.selectors.length ? { files: a.selectors } : {}),
      ...(a.overwrite ? { overwrite: true } : {}),
    });
    if (shown) process.stderr.write('\r\x1b[K');
    shown = false;
    if (a.json) {
      process.stdout.write(`${JSON.stringify({ ok: true, ...r, seconds: (Date.now() - started) / 1000 })}\n`);
      return 0;
    }
    if (!a.quiet)
      for (const f of r.files)
        process.stderr.write(`hubcap: ${f.path}: ${localDirVia(f)}${f.resumedFrom ? `, resumed from ${formatBytes(f.resumedFrom)}` : ''}\n`);
    for (const s of r.skipped) process.stderr.write(`hubcap: skipped ${s.path}: ${s.reason}\n`);
    if (!a.quiet)
      process.stderr.write(
        `hubcap: ${plural(r.files.length, 'file')}, ${formatBytes(r.bytesFetched)} downloaded${r.bytesFromCache ? `, ${formatBytes(r.bytesFromCache)} from the cache` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s → ${r.dir}\n`,
      );
    process.stdout.write(`${r.dir}\n`);
    return 0;
  } finally {
    // A failure is said on a line of its own, not after the progress.
    if (shown) process.stderr.write('\n');
    await core.close();
  }
}
