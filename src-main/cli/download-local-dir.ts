/**
 * `hubcap download REPO [FILES|PATTERNS…] --local-dir DIR [--overwrite]`: the files at their real
 * paths in DIR with huggingface_hub's local-dir metadata, through the same handler as "Download to a
 * folder…". Each file says how it came (already there, from the cache, from the network, resumed).
 */
import path from 'node:path';
import { formatBytes, plural } from '../contract/present/format';
import type { LocalDirResultView } from '../contract/local-dir';
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

const VIA: Record<LocalDirResultView['files'][number]['via'], string> = {
  present: 'already there',
  hashed: 'already there (checked by hash)',
  cache: 'from the cache',
  network: 'downloaded',
};

export async function downloadToFolder(a: LocalDirArgs): Promise<number> {
  const core = cliCore({ cacheDir: a.cacheDir });
  stopOnSignals(() => core.close());
  const started = Date.now();
  try {
    const dir = path.resolve(a.dir);
    const r = await call(core, 'localDir.download', {
      repo: repoKey({ type: a.repoType, id: a.repo }),
      revision: a.revision,
      dir,
      ...(a.selectors.length ? { files: a.selectors } : {}),
      ...(a.overwrite ? { overwrite: true } : {}),
    });
    if (a.json) {
      process.stdout.write(`${JSON.stringify({ ok: true, ...r, seconds: (Date.now() - started) / 1000 })}\n`);
      return 0;
    }
    if (!a.quiet)
      for (const f of r.files) process.stderr.write(`hubcap: ${f.path}: ${VIA[f.via]}${f.resumedFrom ? `, resumed from ${formatBytes(f.resumedFrom)}` : ''}\n`);
    for (const s of r.skipped) process.stderr.write(`hubcap: skipped ${s.path}: ${s.reason}\n`);
    if (!a.quiet)
      process.stderr.write(
        `hubcap: ${plural(r.files.length, 'file')}, ${formatBytes(r.bytesFetched)} downloaded${r.bytesFromCache ? `, ${formatBytes(r.bytesFromCache)} from the cache` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s → ${r.dir}\n`,
      );
    process.stdout.write(`${r.dir}\n`);
    return 0;
  } finally {
    await core.close();
  }
}
