/**
 * Model search, a page at a time: the first query built from the filters, the cursor only the next
 * page's query (rebuilt on the Hub's own endpoint), each entry of a hostile page checked.
 */
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, searchModels } from '../../src-main/hub/search';
import { hubAnswering, json } from '../helpers/fakes';

describe('searchModels', () => {
  it('asks with the filters and sort, and hands back the next page’s query as the cursor', async () => {
    const { http, asked } = hubAnswering(() =>
      json([{ id: 'org/m', downloads: 5, likes: 2, gated: 'manual', pipeline_tag: 'text-generation', tags: ['gguf', 7], gguf: { total: 1000 } }], {
        link: '<https://hub.example/api/models?search=llama&cursor=abc>; rel="next"',
      }),
    );
    const page = await searchModels(http, { search: ' llama ', author: 'org', library: 'gguf', task: 'text-generation', sort: 'likes' });
    const q = asked[0]?.searchParams;
    expect([q?.get('search'), q?.get('author'), q?.get('filter'), q?.get('pipeline_tag'), q?.get('sort'), q?.get('direction'), q?.get('limit')]).toEqual([
      'llama',
      'org',
      'gguf',
      'text-generation',
      'likes',
      '-1',
      String(PAGE_SIZE),
    ]);
    expect(q?.getAll('expand[]')).toContain('gguf');
    expect(page.cursor).toBe('search=llama&cursor=abc');
    expect(page.models).toEqual([
      {
        id: 'org/m',
        author: 'org',
        downloads: 5,
        likes: 2,
        lastModified: null,
        gated: true,
        private: false,
        pipelineTag: 'text-generation',
        tags: ['gguf'],
        parameters: 1000,
        url: 'https://hub.example/org/m',
      },
    ]);
  });

  it('rebuilds the next page on its own endpoint from the cursor, and ends without a Link', async () => {
    const { http, asked } = hubAnswering(() => json([]));
    const page = await searchModels(http, { sort: 'trending', cursor: 'search=llama&cursor=abc' });
    expect(asked[0]?.toString()).toBe('https://hub.example/api/models?search=llama&cursor=abc');
    expect(page).toEqual({ cursor: null, models: [] });
  });

  it('keeps only entries that are models with valid ids, with sane numbers', async () => {
    const { http } = hubAnswering(() =>
      json([
        null,
        'x',
        { id: '../../etc' },
        { modelId: 'a/b', downloads: -5, likes: Infinity },
        { id: 'solo', gated: false },
        ...Array.from({ length: 150 }, (_, i) => ({ id: `o/m${i}` })),
      ]),
    );
    const page = await searchModels(http, { sort: 'downloads' });
    expect(page.models[0]).toMatchObject({ id: 'a/b', author: 'a', downloads: 0, likes: 0 });
    expect(page.models[1]).toMatchObject({ id: 'solo', author: null, gated: false });
    expect(page.models.length).toBeLessThanOrEqual(100);
    expect(page.models.some((m) => m.id.includes('..'))).toBe(false);
  });

  it('refuses an answer that is not a list, and a next page on another host', async () => {
    await expect(searchModels(hubAnswering(() => json({ error: 'x' })).http, { sort: 'likes' })).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    const elsewhere = hubAnswering(() => json([], { link: '<https://evil.example/api/models?p=2>; rel="next"' }));
    await expect(searchModels(elsewhere.http, { sort: 'likes' })).rejects.toThrow(/another host/);
  });
});
