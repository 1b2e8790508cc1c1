/**
 * A repo's files as a person thinks of them: one entry per GGUF quantization (the parts of a split
 * GGUF together), vision projectors apart, safetensors weights, config and tokenizer files, the rest.
 */
import type { FileGroup, ModelFile } from '../contract/model';
import { SPLIT_GGUF } from './split-gguf';

const QUANT = /(?:^|[-_.])((?:IQ|Q)\d(?:_[A-Z0-9]+)*|F16|BF16|F32|MXFP4)(?=[-_.]|$)/i;

export function quantOf(file: string): string {
  const base = file.split('/').pop() ?? file;
  const stem = base.replace(SPLIT_GGUF, '$1').replace(/\.gguf$/i, '');
  const m = QUANT.exec(stem);
  return m ? (m[1] as string).toUpperCase() : stem;
}

export function groupFiles(files: ModelFile[]): FileGroup[] {
  const groups = new Map<string, FileGroup>();
  const add = (key: string, kind: FileGroup['kind'], label: string, f: ModelFile) => {
    const g = groups.get(key) ?? { kind, label, files: [], size: 0, parts: 0 };
    g.files.push(f);
    g.size += f.size;
    g.parts = kind === 'gguf' ? g.files.length : 1;
    groups.set(key, g);
  };
  for (const f of files) {
    const base = f.path.split('/').pop() ?? f.path;
    if (/\.gguf$/i.test(base)) {
      if (/^mmproj/i.test(base)) add(`mmproj:${f.path}`, 'mmproj', base, f);
      else {
        const dir = f.path.includes('/') ? `${f.path.slice(0, f.path.lastIndexOf('/'))}/` : '';
        const quant = quantOf(f.path);
        add(`gguf:${dir}${quant}`, 'gguf', quant, f);
      }
    } else if (/\.safetensors$/i.test(base) || base === 'model.safetensors.index.json') add('safetensors', 'safetensors', 'safetensors weights', f);
    else if (/\.(json|txt|model|tiktoken|jinja)$/i.test(base) || base === 'tokenizer.model') add('config', 'config', 'config and tokenizer', f);
    else add('other', 'other', 'other files', f);
  }
  const order: FileGroup['kind'][] = ['gguf', 'mmproj', 'safetensors', 'config', 'other'];
  return [...groups.values()]
    .map((g) => ({ ...g, files: g.files.sort((a, b) => a.path.localeCompare(b.path)) }))
    .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.size - b.size);
}
