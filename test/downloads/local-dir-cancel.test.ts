/**
 * Stopping a folder download (#30.1): `localDir.cancel` names the folder; the download ends
 * CANCELLED leaving its temp file under huggingface_hub's own name, which the next run resumes.
 * The CLI's live line says the file, its share and n of m.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDirProgressLine } from '../../src-main/cli/download-local-dir';
import { formatBytes } from '../../src-main/contract/present/format';
import type { LocalDirProgress, LocalDirResultView } from '../../src-main/contract/local-dir';
import { dispatch } from '../../src-main/rpc/dispatch';
import type { Handlers } from '../../src-main/contract/handlers';
import { engineFetchInto } from '../../src-main/downloads/local-dir-fetch';
import { localDirHandlers } from '../../src-main/downloads/local-dir-handlers';
import { leftIncompletes, localDirPaths } from '../../src-main/downloads/local-dir-layout';
import { bigRepo, MiB } from '../fakehub/fixtures';
import { fakeHub, hubHttp } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';

describe('cancelling a --local-dir download', () => {
  it('stops on localDir.cancel, leaves Python’s resumable temp file, and the next run fetches only the rest', async () => {
    const big = bigRepo(24 * MiB);
    const hub = await fakeHub({ repos: [big] });
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 8 * MiB, times: 1 });
    const dir = tmpDir();
    const cacheDir = path.join(tmpDir(), 'hub');
    let cancelled: Promise<unknown> | null = null;
    const seen: LocalDirProgress[] = [];
    const handlers = localDirHandlers({
      hub: hubHttp(hub),
      cacheDir: () => cacheDir,
      fetchInto: engineFetchInto(hubHttp(hub), { connections: 1 }),
      onProgress: (p) => {
        seen.push(p);
        // Named as the user typed it: the folder is matched once resolved.
        if (p.bytes >= 4 * MiB && !cancelled) cancelled = dispatch(handlers as unknown as Handlers, 'localDir.cancel', { dir: `${dir}/.` });
      },
    }) as unknown as Handlers;
    const input = { repo: 'model:acme/big', dir };
    const first = await dispatch(handlers, 'localDir.download', input);
    expect(first).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(await cancelled).toEqual({ ok: true, value: { cancelled: 1 } });
    expect(seen[0]).toMatchObject({ dir, file: 'big.gguf', filesDone: 0, files: 1, size: 24 * MiB });
    expect(fs.existsSync(path.join(dir, 'big.gguf'))).toBe(false);
    const etag = big.commits[0]?.files.get('big.gguf')?.sha256 as string;
    const left = leftIncompletes(localDirPaths(dir, 'big.gguf'), etag);
    expect(left).toHaveLength(1);
    expect(left[0]?.size).toBeGreaterThanOrEqual(4 * MiB);
    // Nothing left running: a cancel now stops nothing.
    expect(await dispatch(handlers, 'localDir.cancel', { dir })).toEqual({ ok: true, value: { cancelled: 0 } });

    const again = await dispatch(handlers, 'localDir.download', input);
    if (!again.ok) throw new Error(again.error.message);
    const file = (again.value as LocalDirResultView).files[0];
    expect(file?.resumedFrom).toBeGreaterThanOrEqual(4 * MiB);
    expect((file?.bytesFetched ?? 0) + (file?.resumedFrom ?? 0)).toBe(24 * MiB);
    expect(
      createHash('sha256')
        .update(fs.readFileSync(path.join(dir, 'big.gguf')))
        .digest('hex'),
    ).toBe(etag);
  });

  it('shows a live line for the CLI: the file, its share, bytes and n of m', () => {
    const line = localDirProgressLine({ dir: '/x', file: 'sub/model.gguf', filesDone: 1, files: 3, bytes: 5 * MiB, size: 20 * MiB });
    expect(line).toBe(`\rsub/model.gguf   25%  ${formatBytes(5 * MiB)} / ${formatBytes(20 * MiB)}  [2/3 files]\x1b[K`);
  });
});
