/**
 * A suggested model card for an upload that has none: YAML front matter the Hub accepts
 * (library_name, base_model when the files say it, tags, license, pipeline_tag) and a body that
 * says what the files are and how to load them. Facts come only from the files: a PEFT
 * adapter_config.json, a LoRA's safetensors metadata, a GGUF's general.* keys, a config.json. A base
 * model is never guessed: when the files do not name one, the card asks the user to add it.
 */
import type fs from 'node:fs';
import { formatBytes } from '../contract/present/format';
import { readGgufHeader, metaNumber, metaString, FILE_TYPES } from '../library/gguf-header';
import { fileReadAt } from '../library/read-file';
import { readSafetensorsHeader } from '../library/safetensors-header';
import { SPLIT_GGUF } from '../hub/split-gguf';
import type { LocalFile } from './files';
import { openUntrusted, readUntrustedSync } from '../base/untrusted-file';

export type CardKind = 'gguf' | 'peft-lora' | 'diffusers-lora' | 'transformers' | 'files';

export interface CardFacts {
  kind: CardKind;
  baseModel: string | null;
  license: string | null;
  architecture: string | null;
  pipelineTag: string | null;
  /** GGUF files with their quantization, for the table and the snippets. */
  ggufs: { path: string; quant: string | null }[];
}

/** An id that can be a Hub repo: "org/name", nothing that looks like a local path or a file. */
const HUB_ID = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/;

export function hubIdOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value
    .trim()
    .replace(/^https?:\/\/(www\.)?huggingface\.co\//, '')
    .replace(/\/+$/, '');
  return HUB_ID.test(v) && !/\.(safetensors|gguf|bin|ckpt|pt)$/i.test(v) ? v : null;
}

const PIPELINES: [RegExp, string][] = [
  [/ForCausalLM$|LMHeadModel$/, 'text-generation'],
  [/ForConditionalGeneration$/, 'text2text-generation'],
  [/ForSequenceClassification$/, 'text-classification'],
  [/ForTokenClassification$/, 'token-classification'],
  [/ForQuestionAnswering$/, 'question-answering'],
  [/ForImageClassification$/, 'image-classification'],
  [/ForMaskedLM$/, 'fill-mask'],
];

const PEFT_TASKS: Record<string, string> = {
  CAUSAL_LM: 'text-generation',
  SEQ_2_SEQ_LM: 'text2text-generation',
  SEQ_CLS: 'text-classification',
  TOKEN_CLS: 'token-classification',
  QUESTION_ANS: 'question-answering',
  FEATURE_EXTRACTION: 'feature-extraction',
};

function readJson(file: LocalFile | undefined): Record<string, unknown> | null {
  if (!file || file.size > 1 << 20) return null;
  try {
    const v = JSON.parse(readUntrustedSync(file.localPath, 1 << 20).toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function withFile<T>(file: LocalFile, read: (readAt: ReturnType<typeof fileReadAt>) => Promise<T>): Promise<T | null> {
  let fh: fs.promises.FileHandle | null = null;
  try {
    fh = (await openUntrusted(file.localPath)).fh;
    return await read(fileReadAt(fh));
  } catch {
    return null;
  } finally {
    await fh?.close();
  }
}

const base = (p: string) => p.split('/').pop() ?? p;

export async function cardFacts(files: LocalFile[]): Promise<CardFacts> {
  const byName = (name: string) => files.find((f) => base(f.path) === name);
  const facts: CardFacts = { kind: 'files', baseModel: null, license: null, architecture: null, pipelineTag: null, ggufs: [] };

  const adapter = readJson(byName('adapter_config.json'));
  if (adapter) {
    facts.kind = 'peft-lora';
    facts.baseModel = hubIdOrNull(adapter.base_model_name_or_path);
    facts.pipelineTag = typeof adapter.task_type === 'string' ? (PEFT_TASKS[adapter.task_type] ?? null) : null;
    return facts;
  }

  // A split GGUF is described by its first part.
  const ggufs = files.filter((f) => /\.gguf$/i.test(f.path) && Number(SPLIT_GGUF.exec(base(f.path))?.[2] ?? '1') === 1);
  if (ggufs.length > 0) {
    facts.kind = 'gguf';
    facts.pipelineTag = 'text-generation';
    for (const f of ggufs.slice(0, 50)) {
      const h = await withFile(f, (readAt) => readGgufHeader(readAt, f.size));
      const fileType = h ? metaNumber(h, 'general.file_type') : null;
      facts.ggufs.push({ path: f.path, quant: fileType !== null ? (FILE_TYPES[fileType] ?? null) : null });
      if (!h) continue;
      facts.architecture ??= metaString(h, 'general.architecture');
      facts.license ??= metaString(h, 'general.license');
      facts.baseModel ??= hubIdOrNull(metaString(h, 'general.base_model.0.repo_url'));
      if (/mmproj|clip/i.test(metaString(h, 'general.architecture') ?? '')) facts.pipelineTag = 'image-text-to-text';
    }
    return facts;
  }

  const config = readJson(byName('config.json'));
  const architectures = Array.isArray(config?.architectures) ? config.architectures.filter((a): a is string => typeof a === 'string') : [];
  if (config && architectures.length > 0) {
    facts.kind = 'transformers';
    facts.architecture = architectures[0] ?? null;
    facts.pipelineTag = PIPELINES.find(([re]) => re.test(architectures[0] ?? ''))?.[1] ?? null;
    facts.baseModel = hubIdOrNull(config._name_or_path);
    return facts;
  }

  for (const f of files.filter((x) => /\.safetensors$/i.test(x.path)).slice(0, 20)) {
    const h = await withFile(f, (readAt) => readSafetensorsHeader(readAt, f.size));
    if (!h) continue;
    const names = h.tensors.map((t) => t.name);
    const lora = names.some((n) => /lora_(down|up|A|B)\b|\.lora\.|lora_te|lora_unet|\.alpha$/.test(n));
    if (!lora) continue;
    facts.kind = 'diffusers-lora';
    const md = h.metadata;
    facts.baseModel = hubIdOrNull(md.base_model) ?? hubIdOrNull(md['modelspec.base_model']) ?? hubIdOrNull(md.base_model_name_or_path) ?? null;
    facts.license ??= typeof md['modelspec.license'] === 'string' ? md['modelspec.license'].toLowerCase() : null;
    const arch = md['modelspec.architecture'] ?? md.ss_base_model_version ?? '';
    facts.architecture = arch || null;
    facts.pipelineTag =
      /stable-diffusion|sdxl|sd_|flux|sd3/i.test(arch) || names.some((n) => /unet|transformer_blocks|lora_unet/.test(n)) ? 'text-to-image' : null;
    return facts;
  }
  return facts;
}

const LIBRARY: Record<CardKind, string | null> = {
  gguf: 'gguf',
  'peft-lora': 'peft',
  'diffusers-lora': 'diffusers',
  transformers: 'transformers',
  files: null,
};

const TAGS: Record<CardKind, string[]> = {
  gguf: ['gguf'],
  'peft-lora': ['lora', 'peft'],
  'diffusers-lora': ['lora', 'diffusers'],
  transformers: [],
  files: [],
};

/** A YAML scalar that cannot be misread (JSON strings are valid YAML). */
const q = (s: string) => JSON.stringify(s);

export function renderCard(repo: string, facts: CardFacts, files: LocalFile[], licenseChoice: string): string {
  const license = licenseChoice || facts.license;
  const tags = [
    ...TAGS[facts.kind],
    ...(facts.pipelineTag === 'text-to-image' ? ['text-to-image'] : []),
    ...(facts.architecture && facts.kind === 'gguf' ? [facts.architecture] : []),
  ];
  const lib = LIBRARY[facts.kind];
  const yaml = [
    '---',
    ...(lib ? [`library_name: ${lib}`] : []),
    facts.baseModel ? `base_model: ${q(facts.baseModel)}` : '# base_model: the model this was made from, as org/name (the files do not say; please add it)',
    ...(license ? [`license: ${q(license)}`] : ['# license: add one, e.g. apache-2.0']),
    ...(facts.pipelineTag ? [`pipeline_tag: ${facts.pipelineTag}`] : []),
    ...(tags.length ? ['tags:', ...[...new Set(tags)].map((t) => `- ${q(t)}`)] : []),
    '---',
  ];
  const name = repo.split('/')[1] ?? repo;
  const baseLink = facts.baseModel ? `[${facts.baseModel}](https://huggingface.co/${facts.baseModel})` : 'its base model (add it in the metadata above)';
  const what: Record<CardKind, string> = {
    gguf: `GGUF files of ${facts.architecture ? `a ${facts.architecture} model` : 'a model'}${facts.baseModel ? `, made from ${baseLink}` : ''}, for llama.cpp and the apps built on it.`,
    'peft-lora': `A LoRA adapter (PEFT) for ${baseLink}.`,
    'diffusers-lora': `A LoRA for ${baseLink}${facts.architecture ? ` (${facts.architecture})` : ''}.`,
    transformers: `A ${facts.architecture ?? 'transformers'} checkpoint${facts.baseModel ? `, based on ${baseLink}` : ''}.`,
    files: 'Model files.',
  };
  const table = ['| File | Size |', '|---|---|', ...files.slice(0, 200).map((f) => `| \`${f.path}\` | ${formatBytes(f.size)} |`)];
  if (files.length > 200) table.push(`| … and ${files.length - 200} more | |`);
  const first = facts.ggufs.find((g) => /Q4_K_M/i.test(g.path)) ?? facts.ggufs[0];
  const usage: Record<CardKind, string[]> = {
    gguf: first
      ? [
          'With llama.cpp:',
          '```sh',
          `llama-cli -hf ${repo}${first.quant ? `:${first.quant}` : ''}`,
          '```',
          'With node-llama-cpp:',
          '```js',
          "import { getLlama, resolveModelFile } from 'node-llama-cpp';",
          `const modelPath = await resolveModelFile('hf:${repo}/${first.path}');`,
          'const model = await (await getLlama()).loadModel({ modelPath });',
          '```',
          `With Hubcap: search for \`${repo}\` in the Gallery, download \`${first.path}\`, then Chat.`,
        ]
      : [],
    'peft-lora': ['```python', 'from peft import AutoPeftModelForCausalLM', '', `model = AutoPeftModelForCausalLM.from_pretrained(${q(repo)})`, '```'],
    'diffusers-lora': [
      '```python',
      'import torch',
      'from diffusers import AutoPipelineForText2Image',
      '',
      `pipe = AutoPipelineForText2Image.from_pretrained(${q(facts.baseModel ?? 'BASE_MODEL')}, torch_dtype=torch.float16).to("cuda")`,
      `pipe.load_lora_weights(${q(repo)})`,
      'image = pipe("a photo of …").images[0]',
      '```',
    ],
    transformers: [
      '```python',
      'from transformers import AutoModel, AutoTokenizer',
      '',
      `model = AutoModel.from_pretrained(${q(repo)})`,
      `tokenizer = AutoTokenizer.from_pretrained(${q(repo)})`,
      '```',
    ],
    files: ['```python', 'from huggingface_hub import snapshot_download', '', `snapshot_download(${q(repo)})`, '```'],
  };
  return [...yaml, '', `# ${name}`, '', what[facts.kind], '', '## Files', '', ...table, '', '## How to use', '', ...usage[facts.kind], ''].join('\n');
}
