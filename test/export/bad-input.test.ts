/**
 * Exports meet folders they should not write into (#30.4): a different file under the same name
 * (shown with both sizes and hashes, replaced only when asked), a missing app folder (created on
 * request), one inside the cache, a link to somewhere else (at the root or among its sub-folders),
 * a read-only drive, a full one, another drive (no clone or hard link: copy, symlink or move the
 * cache), and names the target file system cannot hold.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportPlanView, ExportResult } from '../../src-main/contract/export';
import { dispatch } from '../../src-main/rpc/dispatch';
import { nameProblem } from '../../src-main/downloads/local-dir-target';
import { exportsOn } from '../helpers/exports';
import { tmpfs } from '../helpers/mounts';
import { commitOf, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';
import { exportCache, files, read } from './models';

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

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function setup(cache = path.join(tmpDir('hubcap-home-'), 'hub')) {
  const home = tmpDir('hubcap-home-');
  exportCache(cache);
  const comfy = path.join(home, 'ComfyUI', 'models');
  fs.mkdirSync(comfy, { recursive: true });
  core = exportsOn(home, cache);
  return { home, cache, comfy };
}

const LORA = { repo: 'model:acme/style-lora', app: 'comfyui', mode: 'copy' } as const;

describe('export: bad input', () => {
  it('never overwrites a different file silently: both sides shown, replaced only when asked', async () => {
    const { comfy } = setup();
    const theirs = Buffer.from('the user’s own style, not this one');
    fs.mkdirSync(path.join(comfy, 'loras'));
    fs.writeFileSync(path.join(comfy, 'loras', 'style.safetensors'), theirs);
    const plan = await call<ExportPlanView>('export.plan', LORA);
    expect(plan.items[0]).toMatchObject({
      dest: 'loras/style.safetensors',
      state: 'conflict',
      size: files.lora.length,
      sha256: sha(files.lora),
      conflict: { kind: 'file', size: theirs.length, sha256: sha(theirs) },
    });
    const refused = await call('export.run', LORA).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'CONFLICT', message: /already exists .* nothing was replaced/ });
    expect((refused as { details: unknown }).details).toEqual({
      conflicts: [
        {
          dest: 'loras/style.safetensors',
          ours: { size: files.lora.length, sha256: sha(files.lora) },
          theirs: { kind: 'file', size: theirs.length, sha256: sha(theirs) },
        },
      ],
    });
    expect(read(comfy, 'loras', 'style.safetensors').equals(theirs)).toBe(true);

    const replaced = await call<ExportResult>('export.run', { ...LORA, replace: true });
    expect(replaced).toMatchObject({ placed: 1, replaced: 1 });
    expect(read(comfy, 'loras', 'style.safetensors').equals(files.lora)).toBe(true);
    // The same bytes placed by hand count as this file: nothing to do, nothing conflicting.
    expect((await call<ExportPlanView>('export.plan', LORA)).items[0]?.state).toBe('same');
  });

  it('offers to create a missing app folder, and refuses one inside the cache or that is a link elsewhere', async () => {
    const { comfy, cache, home } = setup();
    fs.rmSync(comfy, { recursive: true });
    const plan = await call<ExportPlanView>('export.plan', LORA);
    expect(plan.rootExists).toBe(false);
    expect(plan.problems).toEqual([{ code: 'FOLDER_MISSING', message: expect.stringMatching(/does not exist: create it, or point to the folder/) }]);
    await expect(call('export.run', LORA)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fs.existsSync(comfy)).toBe(false);
    // ComfyUI Desktop's folder comes first when none exists yet (apps/locations.ts).
    expect(plan.root).toBe(path.join(home, 'Documents', 'ComfyUI', 'models'));
    await call('export.run', { ...LORA, createFolder: true });
    expect(read(plan.root, 'loras', 'style.safetensors').equals(files.lora)).toBe(true);
    fs.mkdirSync(comfy, { recursive: true });

    const inside = path.join(cache, 'exports');
    fs.mkdirSync(inside);
    await expect(call('export.run', { ...LORA, to: inside })).rejects.toMatchObject({ code: 'INVALID_PATH', message: /inside the Hugging Face cache/ });

    const real = path.join(tmpDir(), 'elsewhere');
    fs.mkdirSync(real);
    const link = path.join(home, 'models-link');
    fs.symlinkSync(real, link);
    const linked = await call<ExportPlanView>('export.plan', { ...LORA, to: link });
    expect(linked.problems.map((p) => p.code)).toEqual(['LINKS_ELSEWHERE']);
    await expect(call('export.run', { ...LORA, to: link })).rejects.toMatchObject({ message: new RegExp(`link to ${real}`) });
    expect(fs.readdirSync(real)).toEqual([]);

    // A link planted among the app's sub-folders is never written through.
    fs.rmSync(path.join(home, 'Documents'), { recursive: true });
    fs.symlinkSync(real, path.join(comfy, 'loras'));
    await expect(call('export.run', LORA)).rejects.toMatchObject({ code: 'INVALID_PATH', message: /leads out of/ });
    expect(fs.readdirSync(real)).toEqual([]);
  });

  it('says when the folder cannot be written, and when the drive is full', async (ctx) => {
    const { cache } = setup();
    const ro = tmpfs(ctx, 4, 'the read-only export test');
    expect(spawnSync('mount', ['-o', 'remount,ro', ro]).status).toBe(0);
    await expect(call('export.run', { ...LORA, to: ro })).rejects.toMatchObject({ code: 'FORBIDDEN', message: /cannot write in/ });

    const big = Buffer.alloc(3 << 20, 9);
    writePythonRevision(cache, 'models--acme--big', commitOf('big'), [{ path: 'big.safetensors', data: big, lfs: true }], { refs: ['main'] });
    const small = tmpfs(ctx, 1, 'the disk-full export test');
    await expect(call('export.run', { repo: 'model:acme/big', to: small, mode: 'copy' })).rejects.toMatchObject({ code: 'DISK_FULL', message: /is full/ });
    // Nothing half-written is left under the file's name, nor a temp file.
    expect(fs.readdirSync(small)).toEqual([]);
  });

  it('across drives: no clone or hard link, a copy or a symlink instead, or moving the cache', async (ctx) => {
    const drive = tmpfs(ctx, 16, 'the across-drives export test');
    const { comfy } = setup(path.join(drive, 'hub'));
    const plan = await call<ExportPlanView>('export.plan', LORA);
    expect(plan.sameDrive).toBe(false);
    expect(plan.suggested).toBeNull();
    const modes = Object.fromEntries(plan.modes.map((m) => [m.mode, m]));
    expect(modes.clone).toMatchObject({ available: false, consequence: expect.stringMatching(/across drives: copy instead, or move the cache/) });
    expect(modes.link).toMatchObject({ available: false });
    expect(modes.symlink).toMatchObject({ available: true, consequence: expect.stringMatching(/drive is not attached/) });
    await expect(call('export.run', { ...LORA, mode: 'link' })).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
    await call('export.run', LORA);
    expect(read(comfy, 'loras', 'style.safetensors').equals(files.lora)).toBe(true);
  });

  it('names the target file system cannot hold are refused before anything is placed', () => {
    expect(nameProblem('loras/a:b.safetensors', 'vfat')).toMatch(/cannot store the character ":"/);
    expect(nameProblem('checkpoints/CON.safetensors', 'exfat')).toMatch(/reserves the name/);
    expect(nameProblem('loras/a:b.safetensors', 'ext4', 'linux')).toBeNull();
    expect(nameProblem(`loras/${'x'.repeat(256)}.safetensors`, 'ext4', 'linux')).toMatch(/longer than 255 bytes/);
  });
});
