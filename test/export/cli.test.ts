/** `hubcap export` (#30.2) as a real process: the plan first, a chosen way, conflicts refused until --replace, and cache rm's warning. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';
import { exportCache, files, read } from './models';

describe('hubcap export', () => {
  it('exports to ComfyUI and LM Studio, refuses a conflict until --replace, and cache rm names the export it breaks', async () => {
    const home = tmpDir('hubcap-home-');
    const cache = exportCache(path.join(home, 'hub'));
    const comfy = path.join(home, 'ComfyUI', 'models');
    const lm = path.join(home, '.lmstudio', 'models');
    fs.mkdirSync(comfy, { recursive: true });
    fs.mkdirSync(lm, { recursive: true });
    const env = { HOME: home, HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' };

    // ext4 cannot clone: the user is told each way and what it means, and nothing is placed.
    const ask = await runCli(['export', 'acme/style-lora', '--app', 'comfyui'], env);
    expect(ask.code).toBe(1);
    expect(ask.stdout).toMatch(/style\.safetensors → loras\/style\.safetensors .*\[loras: its tensors are LoRA weights\]/);
    expect(ask.stdout).toMatch(/--mode copy: A full copy: costs/);
    expect(ask.stdout).toMatch(/--mode symlink: .*breaks if the cache moves/);
    expect(ask.stdout).toMatch(/skipped README\.md: ComfyUI reads only model weights/);
    expect(ask.stderr).toMatch(/choose how to place/);
    expect(fs.readdirSync(comfy)).toEqual([]);

    const copy = await runCli(['export', 'acme/style-lora', '--app', 'comfyui', '--mode', 'copy'], env);
    expect(copy.code).toBe(0);
    expect(copy.stdout).toMatch(/Placed 1 file by copy, .* copied in /);
    expect(read(comfy, 'loras', 'style.safetensors').equals(files.lora)).toBe(true);

    // A different file under the name: both shown, kept until --replace.
    const theirs = Buffer.from('another checkpoint');
    fs.mkdirSync(path.join(comfy, 'checkpoints'));
    fs.writeFileSync(path.join(comfy, 'checkpoints', 'sd15.safetensors'), theirs);
    const conflict = await runCli(['export', 'acme/sd15', '--app', 'comfyui', '--mode', 'copy'], env);
    expect(conflict.code).toBe(1);
    const theirSha = createHash('sha256').update(theirs).digest('hex');
    expect(conflict.stdout).toContain(
      `CONFLICT: checkpoints/sd15.safetensors exists and is not this file: there file of ${theirs.length} B, sha256 ${theirSha}`,
    );
    expect(conflict.stderr).toMatch(/nothing was replaced/);
    expect(read(comfy, 'checkpoints', 'sd15.safetensors').equals(theirs)).toBe(true);
    expect((await runCli(['export', 'acme/sd15', '--app', 'comfyui', '--mode', 'copy', '--replace'], env)).code).toBe(0);
    expect(read(comfy, 'checkpoints', 'sd15.safetensors').equals(files.ckpt)).toBe(true);

    const link = await runCli(['export', 'acme/tiny-llm@main', 'tiny.Q4_K_M.gguf', '--app', 'lmstudio', '--mode', 'symlink', '--json'], env);
    expect(link.code).toBe(0);
    expect(JSON.parse(link.stdout)).toMatchObject({ placed: 1, record: { app: 'lm-studio', mode: 'symlink' } });
    expect(fs.lstatSync(path.join(lm, 'acme', 'tiny-llm', 'tiny.Q4_K_M.gguf')).isSymbolicLink()).toBe(true);

    const rm = await runCli(['cache', 'rm', 'acme/tiny-llm', '--dry-run'], env);
    expect(rm.stdout).toContain(`also used in LM Studio (${lm}): 1 file, 1 of them symlinks into the cache that would break`);

    const missing = await runCli(['export', 'acme/sd15', '--app', 'text-generation-webui', '--mode', 'copy'], env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/does not exist: .* \(--create makes it\)/);
    expect((await runCli(['export', 'acme/sd15', '--app', 'text-generation-webui', '--mode', 'copy', '--create'], env)).code).toBe(0);
    expect(read(home, 'text-generation-webui', 'models', 'acme_sd15', 'sd15.safetensors').equals(files.ckpt)).toBe(true);
  }, 300_000);
});
