/** The suggested card: facts only from the files, front matter the Hub (and any YAML parser) accepts, no invented base model. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectFiles } from '../../src-main/publish/files';
import { cardFacts, hubIdOrNull, renderCard } from '../../src-main/publish/model-card';
import { diffusersLora, ggufWithBase, peftLoraFolder } from '../fixtures/publish-files';
import { tmpDir } from '../helpers/tmp';

function frontMatter(card: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(card);
  if (!m) throw new Error('no front matter');
  return parse(m[1] as string) as Record<string, unknown>;
}

async function cardFor(paths: string[], license = '') {
  const { files } = collectFiles(paths, { pathInRepo: '', include: [], exclude: [] });
  const facts = await cardFacts(files);
  return { facts, card: renderCard('you/thing', facts, files, license) };
}

describe('suggested model card', () => {
  it('a PEFT adapter: library peft, base model from adapter_config.json, the PEFT snippet', async () => {
    const { card } = await cardFor([peftLoraFolder(path.join(tmpDir(), 'lora'))], 'apache-2.0');
    expect(frontMatter(card)).toEqual({
      library_name: 'peft',
      base_model: 'meta-llama/Llama-3.2-1B',
      license: 'apache-2.0',
      pipeline_tag: 'text-generation',
      tags: ['lora', 'peft'],
    });
    expect(card).toContain('AutoPeftModelForCausalLM.from_pretrained("you/thing")');
    expect(card).toContain('| `adapter_model.safetensors` |');
  });

  it('a diffusers LoRA: base model from its safetensors metadata, or left for the user when the file does not say', async () => {
    const withBase = diffusersLora(path.join(tmpDir(), 'a', 'style.safetensors'), {
      base_model: 'stabilityai/stable-diffusion-xl-base-1.0',
      'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora',
    });
    const a = await cardFor([withBase]);
    expect(frontMatter(a.card)).toMatchObject({
      library_name: 'diffusers',
      base_model: 'stabilityai/stable-diffusion-xl-base-1.0',
      pipeline_tag: 'text-to-image',
    });
    expect(a.card).toContain('pipe.load_lora_weights("you/thing")');

    // A trainer's local file name is not a Hub repo: never turned into a base model.
    const noBase = diffusersLora(path.join(tmpDir(), 'b', 'style.safetensors'), { ss_sd_model_name: 'sd_xl_base_1.0.safetensors' });
    const b = await cardFor([noBase]);
    expect(b.facts.baseModel).toBeNull();
    expect(frontMatter(b.card).base_model).toBeUndefined();
    expect(b.card).toContain('# base_model: the model this was made from');
  });

  it('a GGUF: general.* keys, the quantization in the llama.cpp line, split parts described once', async () => {
    const dir = path.join(tmpDir(), 'gguf');
    ggufWithBase(path.join(dir, 'tiny-Q4_K_M.gguf'), { baseRepoUrl: 'https://huggingface.co/acme/tiny-llm', license: 'mit' });
    const { facts, card } = await cardFor([dir]);
    expect(facts.ggufs).toEqual([{ path: 'tiny-Q4_K_M.gguf', quant: 'Q4_K_M' }]);
    expect(frontMatter(card)).toMatchObject({ library_name: 'gguf', base_model: 'acme/tiny-llm', license: 'mit', tags: ['gguf', 'llama'] });
    expect(card).toContain('llama-cli -hf you/thing:Q4_K_M');
    expect(card).toContain("resolveModelFile('hf:you/thing/tiny-Q4_K_M.gguf')");
  });

  it('a transformers checkpoint: pipeline from its architecture; plain files get a neutral card', async () => {
    const dir = path.join(tmpDir(), 'ckpt');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], _name_or_path: '/home/me/runs/42' }));
    fs.writeFileSync(path.join(dir, 'model.safetensors'), 'x');
    const { facts, card } = await cardFor([dir]);
    expect(facts).toMatchObject({ kind: 'transformers', pipelineTag: 'text-generation', baseModel: null });
    expect(frontMatter(card)).toMatchObject({ library_name: 'transformers', pipeline_tag: 'text-generation' });

    const other = path.join(tmpDir(), 'notes.txt');
    fs.writeFileSync(other, 'x');
    const plain = await cardFor([other]);
    expect(plain.facts.kind).toBe('files');
    expect(frontMatter(plain.card)).toBeNull();
  });

  it('accepts only what can be a Hub repo id as a base model', () => {
    expect(hubIdOrNull('https://huggingface.co/org/name')).toBe('org/name');
    expect(hubIdOrNull('org/name')).toBe('org/name');
    for (const bad of ['/home/me/model', 'model.safetensors', 'a/b/c', 'org/model.gguf', '', 42, '../x/y']) expect(hubIdOrNull(bad)).toBeNull();
  });
});
