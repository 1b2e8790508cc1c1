/**
 * Moving the cache: renamed on one file system, copied then removed across file systems (a
 * tmpfs), resumed after kill -9 without copying again what had landed, refused while another
 * program writes the cache or when the target is not empty. Python's layout survives it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moveCache, MOVE_JOURNAL } from '../../src-main/cache/move';
import { scanCache } from '../../src-main/cache/scan';
import { dispatch } from '../../src-main/rpc/dispatch';
import type { CacheMoveResult } from '../../src-main/contract/cache';
import type { SettingsView } from '../../src-main/contract/settings';
import { runCli, startCli } from '../helpers/cli';
import { pythonWithFilelock } from '../helpers/python';
import { settingsHandlers } from '../../src-main/settings/handlers';
import { cacheAt, handlerTable, place } from '../helpers/fakes';
import { A, pythonCache, sha256, writePythonRevision } from '../helpers/python-cache';
import { tmpfs } from '../helpers/mounts';
import { tmpDir } from '../helpers/tmp';

/** The cache slice from fakes of its needs and the real settings (the move points them at the new folder); no Core. */
function cacheOn(from: string) {
  const { handlers, settings } = cacheAt(place({ HF_HUB_CACHE: from }));
  return { handlers: handlerTable(handlers, settingsHandlers(settings)) };
}

/** What a scan sees, without the paths: repos, revisions, refs, files and sizes. */
function shape(root: string) {
  return scanCache(root).repos.map((r) => ({
    id: r.id,
    refs: r.refs,
    size: r.sizeOnDisk,
    files: r.revisions.map((v) => v.files.map((f) => `${f.path}:${f.size}:${f.linked}`)),
  }));
}

describe('moving the cache', () => {
  it('renames on one file system, keeps Python’s layout, and points Settings at the new folder', async () => {
    const from = pythonCache();
    const before = shape(from);
    const to = path.join(tmpDir(), 'new-hub');
    const core = cacheOn(from);
    const r = await dispatch(core.handlers, 'cache.move', { to });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value as CacheMoveResult).toMatchObject({ how: 'rename', resumed: false, pythonNote: expect.stringContaining(`HF_HUB_CACHE=${to}`) });
    expect(shape(to)).toEqual(before);
    expect(fs.lstatSync(from).isSymbolicLink()).toBe(true); // the old place leads to the new one
    const settings = await dispatch(core.handlers, 'settings.get', {});
    expect((settings.ok && (settings.value as SettingsView).hubCache.path) || null).toBe(to);
  });

  it('refuses a target that is not empty or inside the cache, and a cache another program is writing', async () => {
    const from = pythonCache();
    const full = tmpDir();
    fs.writeFileSync(path.join(full, 'x'), 'x');
    await expect(moveCache(from, full)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(moveCache(from, path.join(from, 'inner'))).rejects.toMatchObject({ code: 'INVALID_PATH' });
    // Python's filelock holds a blob lock: no move under a writer.
    const lock = path.join(from, '.locks', 'models--org--llm', `${'a'.repeat(64)}.lock`);
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    const py = spawn(
      pythonWithFilelock(),
      ['-c', `import filelock,sys,time\nl=filelock.FileLock(${JSON.stringify(lock)})\nl.acquire()\nprint('held',flush=True)\ntime.sleep(30)`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => py.stdout.once('data', () => resolve()));
      await expect(moveCache(from, path.join(tmpDir(), 'hub'))).rejects.toMatchObject({ code: 'BUSY', message: /Another program is writing the cache/ });
    } finally {
      py.kill('SIGKILL');
    }
    expect(shape(from).length).toBe(2);
  });

  it('copies across file systems and, killed half-way, finishes on the next run without losing a byte', async (ctx) => {
    const mount = tmpfs(ctx, 256, 'the cross-drive move tests');
    const from = tmpDir();
    const big = Buffer.alloc(120 << 20);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    writePythonRevision(
      from,
      'models--org--big',
      A,
      [
        { path: 'big.gguf', data: big, lfs: true },
        { path: 'config.json', data: '{}' },
      ],
      { refs: ['main'] },
    );
    writePythonRevision(from, 'models--org--small', A, [{ path: 'w.gguf', data: Buffer.alloc(1000, 1), lfs: true }], { refs: ['main'] });
    const before = shape(from);
    const to = path.join(mount, 'hub');
    const env = { HF_HUB_CACHE: from, HF_ENDPOINT: 'http://127.0.0.1:1', HOME: tmpDir() };

    const first = startCli(['cache', 'mv', to], env);
    const partial = path.join(to, 'models--org--big', 'blobs', `${sha256(big)}.hubcap-moving`);
    for (let i = 0; i < 2000 && !(fs.existsSync(partial) && fs.statSync(partial).size > 0); i++) await new Promise((r) => setTimeout(r, 5));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(fs.existsSync(path.join(to, MOVE_JOURNAL))).toBe(true);
    // Nothing lost: the source is whole until each repo is whole in the target.
    expect(shape(from).find((r) => r.id === 'org/big')).toEqual(before.find((r) => r.id === 'org/big'));

    const second = await runCli(['cache', 'mv', to], env);
    expect(second.stderr).toBe('');
    expect(second.stdout).toMatch(/^Finished moving .* \(copied, then removed\)/);
    expect(shape(to)).toEqual(before);
    expect(fs.lstatSync(from).isSymbolicLink()).toBe(true); // the old place leads to the new one
    expect(fs.existsSync(path.join(to, MOVE_JOURNAL))).toBe(false);
    expect(fs.readdirSync(path.join(to, 'models--org--big', 'blobs')).filter((n) => n.endsWith('.hubcap-moving'))).toEqual([]);
    expect(sha256(fs.readFileSync(path.join(to, 'models--org--big', 'snapshots', A, 'big.gguf')))).toBe(sha256(big));
  }, 60_000);
});
