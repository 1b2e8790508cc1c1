/**
 * Model ids for the local API: stable and readable, so a client configured once keeps working.
 * A cached model is `org/repo/path/in/repo.gguf` (a split GGUF by its first part); a local file is
 * its file name. Two items that would share an id (two revisions of a repo, two files with one
 * name) get `@revision` / `@<8 chars of their key>` after the first. Only GGUF files that can run.
 * A request may also name a Hub repo (`org/repo`, or `org/repo:Q8_0` for one quantization, as
 * Ollama's `hf.co/…` names do) when that picks one model.
 */
import { parseItemKey } from '../contract/keys';
import type { LibraryItem } from '../contract/library';

export interface ApiModel {
  id: string;
  key: string;
  name: string;
  /** Unix seconds, as OpenAI's `created`. */
  created: number;
  ownedBy: string;
  /** The Hub repo a cached model comes from (`org/name`); null for a local file. */
  repo: string | null;
}

function baseId(item: LibraryItem): string {
  const k = parseItemKey(item.key);
  if (k?.source === 'cache') return `${k.repo.id}/${k.path}`;
  return item.name;
}

export function apiModels(items: LibraryItem[], loadedKey: string | null): ApiModel[] {
  const runnable = items.filter((i) => i.kind === 'gguf' && !i.missing && !i.problem);
  // Ids from a stable order (by id, then key), so loading a model never renames another.
  runnable.sort((a, b) => baseId(a).localeCompare(baseId(b)) || a.key.localeCompare(b.key));
  const seen = new Set<string>();
  const models = runnable.map((item) => {
    let id = baseId(item);
    if (seen.has(id)) {
      const k = parseItemKey(item.key);
      id = k?.source === 'cache' ? `${id}@${item.revision ?? k.commit.slice(0, 8)}` : `${id}@${item.key.slice(6, 14)}`;
    }
    seen.add(id);
    const k = parseItemKey(item.key);
    return {
      id,
      key: item.key,
      name: item.name,
      created: Math.floor(Date.parse(item.addedAt ?? '') / 1000) || 0,
      ownedBy: k?.source === 'cache' ? (k.repo.id.split('/')[0] ?? 'hub') : 'local',
      repo: k?.source === 'cache' ? k.repo.id : null,
    };
  });
  // The loaded model first, as clients pick the first one by default.
  return [...models.filter((m) => m.key === loadedKey), ...models.filter((m) => m.key !== loadedKey)];
}

/** The quantization Ollama pulls from a GGUF repo when no tag is given: the one picked among several of a repo. */
export const DEFAULT_QUANT = 'Q4_K_M';

export type ModelPick = { model: ApiModel } | { missing: true } | { ambiguous: ApiModel[] };

/** Whether a model's file name carries `quant` as one of its dash- or dot-separated parts (`x-Q4_K_M-00001-of-00002.gguf`). */
function hasQuant(model: ApiModel, quant: string): boolean {
  const file = (model.id.split('@')[0] ?? '').split('/').at(-1) ?? '';
  const parts = file.replace(/\.gguf$/i, '').split(/[-.]/);
  return parts.some((p) => p.toLowerCase() === quant.toLowerCase());
}

/**
 * The model a request names: an id exactly, else a repo id (`org/repo`, `hf.co/org/repo`, with an
 * optional `:QUANT`) that leaves one model of that repo, or its `DEFAULT_QUANT` when there are
 * several; else which models it could mean.
 */
export function resolveModel(list: ApiModel[], requested: string): ModelPick {
  const exact = list.find((m) => m.id === requested);
  if (exact) return { model: exact };
  const named = /^(?:hf\.co\/)?([\w.-]+\/[\w.-]+)(?::([\w.-]+))?$/i.exec(requested);
  if (!named) return { missing: true };
  const repo = (named[1] as string).toLowerCase();
  const tag = named[2];
  const ofRepo = list.filter((m) => m.repo?.toLowerCase() === repo && (tag === undefined || hasQuant(m, tag)));
  if (ofRepo.length === 0) return { missing: true };
  if (ofRepo.length === 1) return { model: ofRepo[0] as ApiModel };
  const defaults = tag === undefined ? ofRepo.filter((m) => hasQuant(m, DEFAULT_QUANT)) : [];
  if (defaults.length === 1) return { model: defaults[0] as ApiModel };
  return { ambiguous: [...ofRepo].sort((a, b) => a.id.localeCompare(b.id)) };
}
