/**
 * A cache blob hard-linked to another app's file (#24.5): shown as such, flagged by verify when that
 * app rewrote it in place, and given its own bytes on request (a clone where the disk can, else a
 * copy), after which the app's writes no longer reach the cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CacheFileView, VerifyView } from '../../src-main/contract/cache';
import type { Handlers } from '../../src-main/contract/handlers';
import { dispatch } from '../../src-main/rpc/dispatch';
import { cacheAt, handlerTable, place } from '../helpers/fakes';
import { A, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

let core: { handlers: Handlers } | null = null;
afterEach(() => {
  core = null;
});

/** The cache slice from fakes of its needs, no Core. */
function cacheOn(cache: string) {
  return { handlers: handlerTable(cacheAt(place({ HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' })).handlers) };
}

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await dispatch((core as { handlers: Handlers }).handlers, method, input);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

const REPO = 'model:org/tiny';
const DATA = Buffer.alloc(256 * 1024, 7);

/** A cache whose one blob is a hard link to "another app's" file. */
function hardLinkedCache() {
  const cache = tmpDir();
  writePythonRevision(cache, 'models--org--tiny', A, [{ path: 'w.gguf', data: DATA, lfs: true }], { refs: ['main'] });
  const blobs = path.join(cache, 'models--org--tiny', 'blobs');
  const blob = path.join(blobs, fs.readdirSync(blobs)[0] as string);
  const appFile = path.join(tmpDir(), 'lmstudio-w.gguf');
  fs.rmSync(blob);
  fs.writeFileSync(appFile, DATA);
  fs.linkSync(appFile, blob);
  return { cache, blob, appFile };
}

describe('hard-linked blobs', () => {
  it('are shown, and get their own bytes on request; the other app’s writes then no longer reach the cache', async () => {
    const { cache, blob, appFile } = hardLinkedCache();
    core = cacheOn(cache);
    const files = await call<CacheFileView[]>('cache.files', { repo: REPO, commit: A });
    expect(files).toMatchObject([{ path: 'w.gguf', hardLinks: 2 }]);
    const r = await call<{ how: string; bytes: number }>('cache.unshare', { repo: REPO, commit: A, path: 'w.gguf' });
    expect(r.how).toMatch(/^(clone|copy)$/);
    expect(fs.statSync(blob).nlink).toBe(1);
    expect(fs.readFileSync(blob).equals(DATA)).toBe(true);
    fs.writeFileSync(appFile, Buffer.alloc(DATA.length, 9), { flag: 'r+' });
    expect(fs.readFileSync(blob).equals(DATA)).toBe(true);
    expect((await call<CacheFileView[]>('cache.files', { repo: REPO, commit: A }))[0]?.hardLinks).toBeUndefined();
    await expect(call('cache.unshare', { repo: REPO, commit: A, path: 'w.gguf' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('verify says a hard-linked blob was changed in place by the other program, and unshare refuses to copy wrong bytes', async () => {
    const { cache, blob, appFile } = hardLinkedCache();
    core = cacheOn(cache);
    const fd = fs.openSync(appFile, 'r+');
    fs.writeSync(fd, Buffer.from('XXXX'), 0, 4, 100);
    fs.closeSync(fd);
    const v = await call<VerifyView>('cache.verify', { repo: REPO });
    expect(v.corrupt).toMatchObject([{ changedInPlace: true }]);
    await expect(call('cache.unshare', { repo: REPO, commit: A, path: 'w.gguf' })).rejects.toMatchObject({ code: 'INTEGRITY' });
    // Left as it was: still the shared inode, no temp file behind.
    expect(fs.statSync(blob).nlink).toBe(2);
    expect(fs.readdirSync(path.dirname(blob))).toEqual([path.basename(blob)]);
  });
});
