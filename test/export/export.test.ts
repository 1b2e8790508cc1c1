/**
 * "Use in another app" (#30.2): a cached revision's files placed where ComfyUI, LM Studio and
 * text-generation-webui look, with readable names, by copy and by symlink here (ext4 cannot clone:
 * the user chooses, seeing each consequence), remembered, and counted by delete previews.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeletePlanView } from '../../src-main/contract/cache';
import type { ExportPlanView, ExportRecordView, ExportResult } from '../../src-main/contract/export';
import { dispatch } from '../../src-main/rpc/dispatch';
import { exportsOn } from '../helpers/exports';
import { tmpDir } from '../helpers/tmp';
import { exportCache, files, LLM, read } from './models';

let core: ReturnType<typeof exportsOn> | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

export async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await dispatch((core as ReturnType<typeof exportsOn>).handlers, method, input);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code, details: r.error.details });
  return r.value as T;
}

/** A home with the apps' default models folders, and a cache filled with the four repos. */
function setup() {
  const home = tmpDir('hubcap-home-');
  const cache = exportCache(path.join(home, '.cache', 'huggingface', 'hub'));
  const comfy = path.join(home, 'ComfyUI', 'models');
  const lm = path.join(home, '.lmstudio', 'models');
  const tgw = path.join(home, 'text-generation-webui', 'models');
  for (const d of [comfy, lm, tgw]) fs.mkdirSync(d, { recursive: true });
  core = exportsOn(home, cache);
  return { home, cache, comfy, lm, tgw };
}

describe('export to other apps', () => {
  it('places a diffusers repo, a LoRA and a checkpoint in ComfyUI’s folders chosen from their headers, by copy', async () => {
    const { comfy } = setup();
    const plan = await call<ExportPlanView>('export.plan', { repo: 'model:acme/sd-mix', app: 'comfyui' });
    expect(plan.root).toBe(comfy);
    // ext4 cannot clone: nothing is chosen for the user, and each way says what it means.
    expect(plan.suggested).toBeNull();
    expect(plan.sameDrive).toBe(true);
    expect(plan.modes.find((m) => m.mode === 'clone')).toMatchObject({ available: false });
    expect(plan.modes.find((m) => m.mode === 'copy')?.consequence).toMatch(/costs .* more/);
    expect(plan.modes.find((m) => m.mode === 'symlink')?.consequence).toMatch(/breaks if the cache moves or this revision is deleted/);
    expect(plan.modes.find((m) => m.mode === 'link')?.consequence).toMatch(/rewrites its file in place/);
    expect(plan.items.map((i) => [i.dest, i.kind?.folder, i.state])).toEqual([
      ['diffusion_models/sd-mix-unet.safetensors', 'diffusion_models', 'new'],
      ['vae/sd-mix-vae.safetensors', 'vae', 'new'],
    ]);
    expect(plan.skipped).toEqual([{ path: 'model_index.json', why: 'ComfyUI reads only model weights' }]);

    // Without a way chosen (no clone here) nothing is placed, and the choices are named.
    await expect(call('export.run', { repo: 'model:acme/sd-mix', app: 'comfyui' })).rejects.toMatchObject({ message: /choose how to place/ });
    expect(fs.readdirSync(path.join(comfy))).toEqual([]);

    const run = await call<ExportResult>('export.run', { repo: 'model:acme/sd-mix', app: 'comfyui', mode: 'copy' });
    expect(run).toMatchObject({ placed: 2, same: 0, bytesCopied: files.unet.length + files.vae.length });
    expect(read(comfy, 'diffusion_models', 'sd-mix-unet.safetensors').equals(files.unet)).toBe(true);
    expect(read(comfy, 'vae', 'sd-mix-vae.safetensors').equals(files.vae)).toBe(true);
    expect(fs.lstatSync(path.join(comfy, 'vae', 'sd-mix-vae.safetensors')).isFile()).toBe(true);

    await call('export.run', { repo: 'model:acme/style-lora', app: 'comfyui', mode: 'copy' });
    await call('export.run', { repo: 'model:acme/sd15', app: 'comfyui', mode: 'copy' });
    expect(read(comfy, 'loras', 'style.safetensors').equals(files.lora)).toBe(true);
    expect(read(comfy, 'checkpoints', 'sd15.safetensors').equals(files.ckpt)).toBe(true);
    // No temp file is left among them.
    for (const d of ['diffusion_models', 'vae', 'loras', 'checkpoints'])
      expect(fs.readdirSync(path.join(comfy, d)).filter((n) => n.startsWith('.'))).toEqual([]);

    // A second run finds the very files there: nothing placed twice.
    const again = await call<ExportResult>('export.run', { repo: 'model:acme/sd-mix', app: 'comfyui', mode: 'copy' });
    expect(again).toMatchObject({ placed: 0, same: 2 });
  });

  it('links a GGUF model into LM Studio’s publisher/repo folder; a delete preview names the export it would break', async () => {
    const { lm, tgw, cache } = setup();
    const run = await call<ExportResult>('export.run', { repo: 'model:acme/tiny-llm', app: 'lm-studio', mode: 'symlink' });
    const dest = path.join(lm, 'acme', 'tiny-llm', 'tiny.Q4_K_M.gguf');
    expect(run.placed).toBe(2);
    expect(fs.lstatSync(dest).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(dest)).toBe(path.join(cache, 'models--acme--tiny-llm', 'snapshots', LLM, 'tiny.Q4_K_M.gguf'));
    expect(fs.readFileSync(dest).equals(files.gguf)).toBe(true);

    // text-generation-webui: <user>_<repo>/, by copy.
    await call('export.run', { repo: 'model:acme/tiny-llm', app: 'text-generation-webui', mode: 'copy' });
    expect(read(tgw, 'acme_tiny-llm', 'tiny.Q4_K_M.gguf').equals(files.gguf)).toBe(true);
    expect(read(tgw, 'acme_tiny-llm', 'config.json').toString()).toBe('{}');

    const list = await call<ExportRecordView[]>('export.list', {});
    expect(list.map((r) => [r.app, r.mode, r.files.length, r.missing])).toEqual([
      ['lm-studio', 'symlink', 2, 0],
      ['text-generation-webui', 'copy', 2, 0],
    ]);

    // The preview of deleting that revision counts both places, and which links would break.
    const plan = await call<DeletePlanView>('cache.planDelete', { targets: [{ kind: 'revision', repo: 'model:acme/tiny-llm', commit: LLM }] });
    expect(plan.usedElsewhere).toEqual([
      { label: `LM Studio (${lm})`, files: 2, symlinks: 2 },
      { label: `text-generation-webui (${tgw})`, files: 2, symlinks: 0 },
    ]);
    // Another repo's delete does not mention them.
    const other = await call<DeletePlanView>('cache.planDelete', { targets: [{ kind: 'repo', repo: 'model:acme/sd15' }] });
    expect(other.usedElsewhere).toBeUndefined();

    // Once the user removed LM Studio's copy, the record says so and the preview no longer counts it.
    fs.rmSync(path.join(lm, 'acme'), { recursive: true });
    expect((await call<ExportRecordView[]>('export.list', {}))[0]?.missing).toBe(2);
    const after = await call<DeletePlanView>('cache.planDelete', { targets: [{ kind: 'repo', repo: 'model:acme/tiny-llm' }] });
    expect(after.usedElsewhere?.map((u) => u.label)).toEqual([`text-generation-webui (${tgw})`]);
    const id = list[0]?.id as string;
    expect(await call('export.forget', { id })).toEqual({ forgotten: true });
    expect((await call<ExportRecordView[]>('export.list', {})).length).toBe(1);
  });

  it('places a plain folder’s files at their repo paths, a revision chosen by ref or commit prefix', async () => {
    setup();
    const to = path.join(tmpDir(), 'plain');
    fs.mkdirSync(to);
    await call('export.run', { repo: 'model:acme/sd-mix', revision: 'main', to, mode: 'copy' });
    expect(read(to, 'unet', 'diffusion_pytorch_model.safetensors').equals(files.unet)).toBe(true);
    expect(read(to, 'model_index.json').toString()).toMatch(/StableDiffusionPipeline/);
    await expect(call('export.plan', { repo: 'model:acme/sd-mix', revision: 'v9', to })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(call('export.plan', { repo: 'model:acme/sd-mix', files: ['nope.bin'], to })).rejects.toMatchObject({ message: /nope\.bin/ });
  });
});
