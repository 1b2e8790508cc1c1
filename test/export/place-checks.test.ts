/**
 * Placing, checked (#30.2): a split GGUF goes as a whole from the one part the Library names, a copy
 * is read back against the blob's hash before it takes its name, and a hard link is the cache's own
 * inode with its consequence said; a cache move re-points the symlinks Hubcap gave other apps.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CacheMoveResult } from '../../src-main/contract/cache';
import type { ExportPlanView, ExportResult } from '../../src-main/contract/export';
import { dispatch } from '../../src-main/rpc/dispatch';
import { exportsOn } from '../helpers/exports';
import { commitOf, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';
import { sampleGguf } from '../fixtures/gguf-writer';
import { exportCache, files, LLM, read, SD } from './models';

const SPLIT = commitOf('split-gguf');
const parts = [1, 2, 3].map((n) => ({
  path: `big/model-0000${n}-of-00003.gguf`,
  data: Buffer.concat([sampleGguf({ name: 'Big' }), Buffer.from(`part ${n}`)]),
}));

let core: ReturnType<typeof exportsOn> | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await dispatch((core as ReturnType<typeof exportsOn>).handlers, method, input);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code, details: r.error.details });
  return r.value as T;
}

function setup() {
  const home = tmpDir('hubcap-home-');
  const cache = exportCache(path.join(home, '.cache', 'huggingface', 'hub'));
  writePythonRevision(
    cache,
    'models--acme--big-llm',
    SPLIT,
    [
      ...parts.map((p) => ({ ...p, lfs: true })),
      { path: 'big/other-00001-of-00002.gguf', data: 'another model', lfs: true },
      { path: 'README.md', data: '# big' },
    ],
    { refs: ['main'] },
  );
  const lm = path.join(home, '.lmstudio', 'models');
  fs.mkdirSync(lm, { recursive: true });
  core = exportsOn(home, cache);
  return { home, cache, lm };
}

const blobOf = (cache: string, repoFolder: string, commit: string, file: string) => fs.realpathSync(path.join(cache, repoFolder, 'snapshots', commit, file));

describe('placing, checked', () => {
  it('places every part of a split GGUF when the first part is asked for (the Library names one file)', async () => {
    const { lm } = setup();
    const asked = { repo: 'model:acme/big-llm', app: 'lm-studio', files: ['big/model-00001-of-00003.gguf'], mode: 'copy' };
    const plan = await call<ExportPlanView>('export.plan', asked);
    expect(plan.items.map((i) => i.dest)).toEqual(parts.map((p) => `acme/big-llm/${p.path}`));
    const run = await call<ExportResult>('export.run', asked);
    expect(run.placed).toBe(3);
    for (const p of parts) expect(read(lm, 'acme', 'big-llm', p.path).equals(p.data)).toBe(true);
    // Another split model beside it, and the card, stay out.
    expect(fs.readdirSync(path.join(lm, 'acme', 'big-llm', 'big')).sort()).toEqual(parts.map((p) => path.basename(p.path)));
  });

  it('reads a copy back against the blob’s hash before it takes its name; a mismatch is removed and said', async () => {
    const { cache, lm } = setup();
    // Same size, one byte changed: a size check alone would pass it.
    const lfsBlob = blobOf(cache, 'models--acme--tiny-llm', LLM, 'tiny.Q4_K_M.gguf');
    const bad = Buffer.from(files.gguf);
    bad.writeUInt8((bad.at(-1) as number) ^ 0xff, bad.length - 1);
    fs.writeFileSync(lfsBlob, bad);
    const asked = { repo: 'model:acme/tiny-llm', app: 'lm-studio', files: ['tiny.Q4_K_M.gguf'], mode: 'copy' };
    await expect(call('export.run', asked)).rejects.toMatchObject({ code: 'INTEGRITY', message: /does not match the cached file's hash.*it was removed/ });
    const dir = path.join(lm, 'acme', 'tiny-llm');
    expect(fs.readdirSync(dir)).toEqual([]); // neither the final name nor a temp file

    // A small (git) file is checked by its blob sha1 the same way.
    const small = blobOf(cache, 'models--acme--tiny-llm', LLM, 'config.json');
    expect(path.basename(small)).toMatch(/^[0-9a-f]{40}$/);
    fs.writeFileSync(small, '[]');
    await expect(call('export.run', { ...asked, files: ['config.json'] })).rejects.toMatchObject({ code: 'INTEGRITY' });
    expect(fs.readdirSync(dir)).toEqual([]);

    // Good bytes pass.
    fs.writeFileSync(lfsBlob, files.gguf);
    fs.writeFileSync(small, '{}');
    expect((await call<ExportResult>('export.run', { ...asked, files: undefined })).placed).toBe(2);
    expect(read(dir, 'tiny.Q4_K_M.gguf').equals(files.gguf)).toBe(true);
  });

  it('places by hard link: the cache blob’s own inode, with what that means said first', async () => {
    const { cache } = setup();
    const to = path.join(tmpDir(), 'plain');
    fs.mkdirSync(to);
    const asked = { repo: 'model:acme/sd-mix', to, mode: 'link' };
    const plan = await call<ExportPlanView>('export.plan', asked);
    expect(plan.modes.find((m) => m.mode === 'link')).toEqual({
      mode: 'link',
      available: true,
      consequence:
        'A hard link: no extra space, but the app and the cache share the bytes: if the app rewrites its file in place, the cached model changes too.',
    });
    const run = await call<ExportResult>('export.run', asked);
    expect(run).toMatchObject({ placed: 3, bytesCopied: 0 });
    for (const f of ['unet/diffusion_pytorch_model.safetensors', 'vae/diffusion_pytorch_model.safetensors', 'model_index.json']) {
      const placed = fs.lstatSync(path.join(to, f));
      const blob = fs.statSync(blobOf(cache, 'models--acme--sd-mix', SD, f));
      expect(placed.isFile()).toBe(true);
      expect([placed.dev, placed.ino]).toEqual([blob.dev, blob.ino]);
    }
    // Found again as the very file: nothing placed twice.
    expect(await call<ExportResult>('export.run', asked)).toMatchObject({ placed: 0, same: 3 });
  });

  it('re-points the symlinks it gave other apps when the cache moves', async () => {
    const { cache, lm, home } = setup();
    const to = path.join(home, 'moved-hub');
    await call('export.run', { repo: 'model:acme/tiny-llm', app: 'lm-studio', mode: 'symlink' });
    const dest = path.join(lm, 'acme', 'tiny-llm', 'tiny.Q4_K_M.gguf');
    // A link the user made themselves into the cache is not Hubcap's to change.
    const theirs = path.join(home, 'their-link.gguf');
    fs.symlinkSync(path.join(cache, 'models--acme--tiny-llm', 'snapshots', LLM, 'tiny.Q4_K_M.gguf'), theirs);

    const moved = await call<CacheMoveResult>('cache.move', { to });
    expect(moved.pythonNote).toMatch(/2 links other apps use now lead to the new place/);
    expect(fs.readlinkSync(dest)).toBe(path.join(to, 'models--acme--tiny-llm', 'snapshots', LLM, 'tiny.Q4_K_M.gguf'));
    expect(fs.readlinkSync(theirs)).toContain(cache);
    // With the old place gone altogether (the link it left removed), the app still reads its model.
    fs.rmSync(cache, { force: true, recursive: true });
    expect(fs.readFileSync(dest).equals(files.gguf)).toBe(true);
    expect(fs.readdirSync(path.dirname(dest)).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
