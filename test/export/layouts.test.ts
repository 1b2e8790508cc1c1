/** Where each app wants a file, and what a weights file is for ComfyUI, as pure functions (#30.2). */
import { describe, expect, it } from 'vitest';
import { comfyName, destinationOf } from '../../src-main/export/layouts';
import { kindFromGgufArchitecture, kindFromTensorNames } from '../../src-main/export/file-kind';

describe('app layouts', () => {
  it('places files as each app reads them, with readable names', () => {
    expect(destinationOf('lm-studio', 'bartowski/Llama-3-8B-GGUF', 'Llama-3-8B-Q4_K_M.gguf')).toBe('bartowski/Llama-3-8B-GGUF/Llama-3-8B-Q4_K_M.gguf');
    expect(destinationOf('text-generation-webui', 'TheBloke/Mistral-7B-GPTQ', 'model.safetensors')).toBe('TheBloke_Mistral-7B-GPTQ/model.safetensors');
    expect(destinationOf('text-generation-webui', 'gpt2', 'config.json')).toBe('gpt2/config.json');
    expect(destinationOf(null, 'org/x', 'a/b.json')).toBe('a/b.json');
    expect(destinationOf('comfyui', 'stabilityai/sdxl-vae', 'diffusion_pytorch_model.safetensors', 'vae')).toBe('vae/sdxl-vae.safetensors');
    expect(destinationOf('comfyui', 'org/flux-lora', 'my_style.safetensors', 'loras')).toBe('loras/my_style.safetensors');
  });

  it('names generic files after their repo and folder, shards keeping their number', () => {
    expect(comfyName('org/sd-mix', 'unet/diffusion_pytorch_model.fp16.safetensors')).toBe('sd-mix-unet.safetensors');
    expect(comfyName('org/t5', 'text_encoder_2/model-00001-of-00002.safetensors')).toBe('t5-text_encoder_2-00001-of-00002.safetensors');
    expect(comfyName('org/x', 'flux1-dev.safetensors')).toBe('flux1-dev.safetensors');
  });
});

describe('ComfyUI kind from the header', () => {
  it('reads tensor names as ComfyUI’s model detection does', () => {
    expect(kindFromTensorNames(['lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight']).folder).toBe('loras');
    expect(kindFromTensorNames(['base_model.model.transformer.single_blocks.0.attn.to_q.lora_A.weight']).folder).toBe('loras');
    expect(kindFromTensorNames(['model.diffusion_model.input_blocks.0.0.weight', 'first_stage_model.decoder.conv_in.weight']).folder).toBe('checkpoints');
    expect(kindFromTensorNames(['double_blocks.0.img_attn.qkv.weight', 'img_in.weight']).folder).toBe('diffusion_models');
    expect(kindFromTensorNames(['encoder.down.0.block.0.conv1.weight', 'decoder.up.0.block.0.conv1.weight', 'quant_conv.weight']).folder).toBe('vae');
    expect(kindFromTensorNames(['text_model.encoder.layers.0.mlp.fc1.weight']).folder).toBe('text_encoders');
    expect(kindFromTensorNames(['encoder.block.0.layer.0.SelfAttention.q.weight', 'shared.weight']).folder).toBe('text_encoders');
    expect(kindFromTensorNames(['control_model.input_blocks.0.0.weight']).folder).toBe('controlnet');
    expect(kindFromTensorNames(['vision_model.encoder.layers.0.mlp.fc1.weight']).folder).toBe('clip_vision');
    expect(kindFromTensorNames(['something.weight'])).toEqual({ folder: 'checkpoints', because: 'no part of it says otherwise' });
  });

  it('reads GGUF architectures: diffusion models and text encoders', () => {
    expect(kindFromGgufArchitecture('flux').folder).toBe('diffusion_models');
    expect(kindFromGgufArchitecture('t5encoder').folder).toBe('text_encoders');
    expect(kindFromGgufArchitecture('llama').because).toMatch(/language model/);
  });
});
