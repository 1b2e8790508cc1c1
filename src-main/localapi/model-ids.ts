/**
 * Model ids for the local API: stable and readable, so a client configured once keeps working.
 * A cached model is `org/repo/path/in/repo.gguf` (a split GGUF by its first part); a local file is
 * its file name. Two items that would share an id (two revisions of a repo, two files with one
 * name) get `@revision` / `@<8 chars of their key>` after the first. Only GGUF files that can run.
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
    };
  });
  // The loaded model first, as clients pick the first one by default.
  return [...models.filter((m) => m.key === loadedKey), ...models.filter((m) => m.key !== loadedKey)];
}
