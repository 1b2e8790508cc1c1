/**
 * What a weights file is, for ComfyUI's folders, read from its header (never its name alone): a
 * safetensors file's tensor names, a GGUF file's `general.architecture`. The rules follow the
 * state-dict prefixes ComfyUI's own model detection keys on (comfy/model_detection.py): a full
 * checkpoint holds the diffusion model with its VAE (`first_stage_model.`) and text encoder; a LoRA
 * holds `lora_` keys; a VAE holds only encoder/decoder; a text encoder `text_model.`/`encoder.block.`.
 */
import path from 'node:path';
import { openUntrusted } from '../base/untrusted-file';
import { readGgufHeader, metaString } from '../library/gguf-header';
import { readSafetensorsHeader } from '../library/safetensors-header';
import { fileReadAt } from '../library/read-file';

export interface ComfyKind {
  folder: 'checkpoints' | 'loras' | 'vae' | 'text_encoders' | 'diffusion_models' | 'clip_vision' | 'controlnet' | 'upscale_models';
  because: string;
}

const some = (names: string[], re: RegExp) => names.some((n) => re.test(n));

/** The folder for a safetensors file's tensor names (pure: tested on names alone). */
export function kindFromTensorNames(names: string[]): ComfyKind {
  if (some(names, /(^|\.)lora_(up|down|A|B)\b|^lora_(unet|te\d?)_|\.lora\.(up|down)\.|hada_w1_a|lokr_w1/))
    return { folder: 'loras', because: 'its tensors are LoRA weights' };
  const diffusion = some(names, /^model\.diffusion_model\./);
  if (diffusion && some(names, /^first_stage_model\./)) return { folder: 'checkpoints', because: 'a full checkpoint: diffusion model, VAE and text encoder' };
  if (some(names, /^control_model\.|^controlnet_|^input_hint_block\./)) return { folder: 'controlnet', because: 'its tensors are a ControlNet' };
  if (diffusion || some(names, /^(double_blocks|single_blocks|joint_blocks|transformer_blocks|img_in|x_embedder)\./))
    return { folder: 'diffusion_models', because: 'a diffusion model alone (no VAE or text encoder)' };
  if (some(names, /^(down_blocks|up_blocks|mid_block)\./) && some(names, /^conv_in\./) && some(names, /^time_embedding\./))
    return { folder: 'diffusion_models', because: 'a diffusers UNet' };
  if (some(names, /^(first_stage_model\.)?(encoder|decoder)\.(down|up|mid|conv_in)/) || some(names, /^(first_stage_model\.)?(post_)?quant_conv\./))
    return { folder: 'vae', because: 'its tensors are an autoencoder (VAE)' };
  if (some(names, /^vision_model\.|^visual\./)) return { folder: 'clip_vision', because: 'a vision encoder (CLIP vision)' };
  if (some(names, /^(text_model\.|encoder\.block\.|shared\.weight$|text_projection|transformer\.resblocks\.|model\.layers\.|embed_tokens)/))
    return { folder: 'text_encoders', because: 'a text encoder' };
  if (some(names, /^(body|conv_first|model\.\d+\.)/)) return { folder: 'upscale_models', because: 'an image upscaler' };
  return { folder: 'checkpoints', because: 'no part of it says otherwise' };
}

/** The folder for a GGUF file's architecture (ComfyUI-GGUF loads diffusion models and text encoders). */
export function kindFromGgufArchitecture(arch: string | null): ComfyKind {
  const a = (arch ?? '').toLowerCase();
  if (/^(flux|sd1|sdxl|sd3|aura|hidream|hyvid|ltxv|wan|cosmos|lumina2|qwen_image|hunyuan)/.test(a))
    return { folder: 'diffusion_models', because: `a ${arch} diffusion model` };
  if (/^(t5|t5encoder|clip|umt5)/.test(a)) return { folder: 'text_encoders', because: `a ${arch} text encoder` };
  return { folder: 'text_encoders', because: `a ${arch ?? 'GGUF'} language model (ComfyUI loads those as text encoders)` };
}

/** Reads the file's header (the cache's file, opened as untrusted inside `cacheRoot`) and classifies it. */
export async function comfyKindOf(file: string, repoPath: string, cacheRoot: string): Promise<ComfyKind> {
  const ext = path.posix.extname(repoPath).toLowerCase();
  if (ext !== '.safetensors' && ext !== '.sft' && ext !== '.gguf') return { folder: 'checkpoints', because: `a ${ext.slice(1)} file (not read)` };
  const { fh, stat } = await openUntrusted(file, { root: cacheRoot, followLinks: true });
  try {
    const readAt = fileReadAt(fh);
    if (ext === '.gguf') return kindFromGgufArchitecture(metaString(await readGgufHeader(readAt, stat.size), 'general.architecture'));
    return kindFromTensorNames((await readSafetensorsHeader(readAt, stat.size)).tensors.map((t) => t.name));
  } catch (error) {
    return { folder: 'checkpoints', because: `its header could not be read (${(error as Error).message})` };
  } finally {
    await fh.close();
  }
}
