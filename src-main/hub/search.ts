/**
 * Model search, one page at a time, following the Hub's Link-header pagination. Our own request
 * rather than @huggingface/hub's listModels, which walks every page itself and hides the cursor
 * an infinite scroll needs. The cursor given to the renderer is only the next page's query string;
 * the core rebuilds the URL on its own endpoint, so no URL from outside is ever fetched.
 */
import { ApiError } from '../contract/errors';
import type { GallerySort, ModelCardView, SearchPage } from '../contract/gallery';
import type { HubHttp } from './http';
import { isValidRepoId } from './repo-id';
import { nextPageUrl } from './pagination';

const SORT_PARAM: Record<GallerySort, string> = { trending: 'trendingScore', downloads: 'downloads', likes: 'likes', updated: 'lastModified' };
export const PAGE_SIZE = 30;

export interface SearchInput {
  search?: string | undefined;
  author?: string | undefined;
  library?: 'gguf' | 'safetensors' | undefined;
  task?: string | undefined;
  sort: GallerySort;
  cursor?: string | undefined;
}

interface HubModel {
  id?: string;
  modelId?: string;
  author?: string;
  downloads?: number;
  likes?: number;
  lastModified?: string;
  gated?: boolean | string;
  private?: boolean;
  pipeline_tag?: string;
  tags?: string[];
  gguf?: { total?: number };
  safetensors?: { total?: number };
}

function firstQuery(input: SearchInput): URLSearchParams {
  const q = new URLSearchParams();
  if (input.search?.trim()) q.set('search', input.search.trim());
  if (input.author?.trim()) q.set('author', input.author.trim());
  if (input.library) q.append('filter', input.library);
  if (input.task) q.set('pipeline_tag', input.task);
  q.set('sort', SORT_PARAM[input.sort]);
  q.set('direction', '-1');
  q.set('limit', String(PAGE_SIZE));
  for (const e of ['author', 'downloads', 'likes', 'lastModified', 'gated', 'private', 'pipeline_tag', 'tags', 'gguf', 'safetensors']) q.append('expand[]', e);
  return q;
}

export async function searchModels(hub: HubHttp, input: SearchInput): Promise<SearchPage> {
  let query: URLSearchParams;
  if (input.cursor) {
    try {
      query = new URLSearchParams(input.cursor);
    } catch {
      throw new ApiError('VALIDATION_FAILED', 'That page cursor is not valid.');
    }
  } else query = firstQuery(input);
  const res = await hub.fetch(hub.url(`/api/models?${query.toString()}`), { ctx: {} });
  const models = (await res.json()) as HubModel[];
  if (!Array.isArray(models)) throw new ApiError('SERVER_ERROR', 'The Hub sent an unexpected search answer.');
  // The cursor is only the next page's query; the core rebuilds the URL on its own endpoint.
  const next = nextPageUrl(res, hub);
  const cursor = next ? new URL(next).search.slice(1) : null;
  return {
    cursor,
    // Each entry is checked: a hostile page cannot hand the UI something that is not a model.
    models: models
      .filter((m): m is HubModel => typeof m === 'object' && m !== null)
      .slice(0, 100)
      .map((m): ModelCardView => {
        const id = str(m.id) ?? str(m.modelId) ?? '';
        return {
          id,
          author: str(m.author) ?? (id.includes('/') ? (id.split('/')[0] as string) : null),
          downloads: num(m.downloads) ?? 0,
          likes: num(m.likes) ?? 0,
          lastModified: str(m.lastModified),
          gated: m.gated === true || m.gated === 'auto' || m.gated === 'manual',
          private: m.private === true,
          pipelineTag: str(m.pipeline_tag),
          tags: Array.isArray(m.tags) ? m.tags.filter((t): t is string => typeof t === 'string').slice(0, 100) : [],
          parameters: num(m.gguf?.total) ?? num(m.safetensors?.total),
          url: hub.url(`/${id}`),
        };
      })
      .filter((m) => isValidRepoId(m.id)),
  };
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v.slice(0, 500) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}
