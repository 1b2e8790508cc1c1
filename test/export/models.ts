/**
 * A Python-style cache holding what people export to other apps: a diffusers repo (UNet and VAE
 * under generic names), a LoRA, a full Stable Diffusion checkpoint and a GGUF language model, each
 * with real headers (the ComfyUI folder is read from them, never from the name).
 */
import fs from 'node:fs';
import path from 'node:path';
import { safetensorsBytes } from '../fixtures/publish-files';
import { sampleGguf } from '../fixtures/gguf-writer';
import { commitOf, writePythonRevision } from '../helpers/python-cache';

export const SD = commitOf('sd-mix');
export const LORA = commitOf('lora');
export const CKPT = commitOf('ckpt');
export const LLM = commitOf('llm');

export const files = {
  unet: safetensorsBytes(['conv_in.weight', 'time_embedding.linear_1.weight', 'down_blocks.0.resnets.0.conv1.weight']),
  vae: safetensorsBytes(['encoder.conv_in.weight', 'decoder.up_blocks.0.resnets.0.conv1.weight', 'quant_conv.weight']),
  lora: safetensorsBytes(['lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight', 'lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight']),
  ckpt: safetensorsBytes([
    'model.diffusion_model.input_blocks.0.0.weight',
    'first_stage_model.encoder.conv_in.weight',
    'cond_stage_model.transformer.text_model.embeddings.token_embedding.weight',
  ]),
  gguf: sampleGguf({ name: 'Tiny' }),
};

/** Fills `cache` (made if missing) with the four repos, `main` on each. */
export function exportCache(cache: string): string {
  fs.mkdirSync(cache, { recursive: true });
  writePythonRevision(
    cache,
    'models--acme--sd-mix',
    SD,
    [
      { path: 'model_index.json', data: '{"_class_name":"StableDiffusionPipeline"}' },
      { path: 'unet/diffusion_pytorch_model.safetensors', data: files.unet, lfs: true },
      { path: 'vae/diffusion_pytorch_model.safetensors', data: files.vae, lfs: true },
    ],
    { refs: ['main'] },
  );
  writePythonRevision(
    cache,
    'models--acme--style-lora',
    LORA,
    [
      { path: 'README.md', data: '# a style' },
      { path: 'style.safetensors', data: files.lora, lfs: true },
    ],
    { refs: ['main'] },
  );
  writePythonRevision(cache, 'models--acme--sd15', CKPT, [{ path: 'sd15.safetensors', data: files.ckpt, lfs: true }], { refs: ['main'] });
  writePythonRevision(
    cache,
    'models--acme--tiny-llm',
    LLM,
    [
      { path: 'tiny.Q4_K_M.gguf', data: files.gguf, lfs: true },
      { path: 'config.json', data: '{}' },
    ],
    { refs: ['main'] },
  );
  return cache;
}

export const read = (...p: string[]): Buffer => fs.readFileSync(path.join(...p));
