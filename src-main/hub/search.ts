/**
 * Model search, one page at a time, following the Hub's Link-header pagination. Our own request
 * rather than @huggingface/hub's listModels, which walks every page itself and hides the cursor
 * an infinite scroll needs. The cursor given to the renderer is only the next page's query string;
 * the core rebuilds the URL on its own endpoint, so no URL from outside is ever fetched.
 */
import type { GallerySort, ModelCardView, SearchPage } from '../contract/gallery';
import { ApiError } from '../contract/errors';
import type { HubHttp } from './http';

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
  const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
  let cursor: string | null = null;
  if (next) {
    const u = new URL(next, hub.endpoint);
    cursor = u.search.slice(1);
  }
  return {
    cursor,
    models: models.map((m): ModelCardView => {
      const id = m.id ?? m.modelId ?? '';
      return {
        id,
        author: m.author ?? (id.includes('/') ? (id.split('/')[0] as string) : null),
        downloads: m.downloads ?? 0,
        likes: m.likes ?? 0,
        lastModified: m.lastModified ?? null,
        gated: m.gated === true || m.gated === 'auto' || m.gated === 'manual',
        private: m.private === true,
        pipelineTag: m.pipeline_tag ?? null,
        tags: m.tags ?? [],
        parameters: m.gguf?.total ?? m.safetensors?.total ?? null,
        url: hub.url(`/${id}`),
      };
    }),
  };
}
