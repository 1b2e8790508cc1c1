/**
 * Where each app looks for a model's files, as pure functions of the repo, the file and (for
 * ComfyUI) what the file is. LM Studio reads `models/<publisher>/<repo>/…`, text-generation-webui
 * `models/<user>_<repo>/…` (its download-model.py's names), ComfyUI `models/<kind>/<file>`, one
 * file per model, so a generic name (`diffusion_pytorch_model.safetensors`) becomes the repo's.
 */
import path from 'node:path';
import type { ExportApp } from '../contract/export';

/** What ComfyUI's loaders read; anything else in a repo (cards, configs, tokenizers) is not placed there. */
export const COMFYUI_WEIGHTS = /\.(safetensors|sft|gguf|ckpt|pt|pth|bin)$/i;

/** Names that say nothing on their own once out of their repo. */
const GENERIC_STEM = /^(model|diffusion_pytorch_model|pytorch_model|adapter_model|model_index)([.-](fp16|fp32|bf16|fp8))?$/i;

/** `org/name` → its two parts (a namespace-less id is its own publisher, as LM Studio shows it). */
function parts(repoId: string): { publisher: string; name: string } {
  const [a, b] = repoId.split('/');
  return b === undefined ? { publisher: a as string, name: a as string } : { publisher: a as string, name: b };
}

/** ComfyUI's file name for a repo file: its own name, or the repo's (and its folder's) when the name is generic. */
export function comfyName(repoId: string, repoPath: string): string {
  const base = path.posix.basename(repoPath);
  const ext = path.posix.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  const dir = path.posix.dirname(repoPath);
  const shard = /^(.*)-\d{5}-of-\d{5}$/.exec(stem);
  if (!GENERIC_STEM.test(shard ? (shard[1] as string) : stem)) return base;
  const where = dir === '.' ? '' : `-${dir.replaceAll('/', '-')}`;
  return `${parts(repoId).name}${where}${shard ? stem.slice((shard[1] as string).length) : ''}${ext}`;
}

/**
 * The destination of one file, relative to the app's models folder (or the plain folder), always
 * `/`-separated. `comfyFolder` is the sub-folder chosen from what the file is (see file-kind.ts).
 */
export function destinationOf(app: ExportApp | null, repoId: string, repoPath: string, comfyFolder?: string): string {
  const { publisher, name } = parts(repoId);
  switch (app) {
    case 'lm-studio':
      return `${publisher}/${name}/${repoPath}`;
    case 'text-generation-webui':
      return `${repoId.includes('/') ? `${publisher}_${name}` : name}/${repoPath}`;
    case 'comfyui':
      return `${comfyFolder ?? 'checkpoints'}/${comfyName(repoId, repoPath)}`;
    case null:
      return repoPath;
  }
}
