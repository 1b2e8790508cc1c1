/** gallery.model with the Hub down: a model this machine holds comes from the cache, with what went wrong kept aside. */
import { describe, expect, it } from 'vitest';
import type { ModelDetails } from '../../src-main/contract/model';
import { hubHandlers } from '../../src-main/hub/handlers';
import { HubHttp } from '../../src-main/hub/http';

const cached: ModelDetails = {
  id: 'acme/tiny-llm',
  revision: 'main',
  sha: 'a'.repeat(40),
  gated: false,
  private: false,
  downloads: 0,
  likes: 0,
  lastModified: null,
  pipelineTag: null,
  tags: [],
  parameters: null,
  branches: ['main'],
  tags_: [],
  groups: [],
  card: 'A tiny test model',
  cardNote: null,
  url: 'https://hub.example/acme/tiny-llm',
  source: 'cache',
};

function handlers(fetch: typeof globalThis.fetch, inCache: (id: string) => boolean) {
  const asked: string[] = [];
  const http = new HubHttp({ endpoint: 'https://hub.example', token: () => null, offline: () => false, fetch });
  const slice = hubHandlers({
    http,
    status: () => ({ reachability: 'online', endpoint: 'https://hub.example', checkedAt: null, detail: null, account: { signedIn: false } }),
    check: async () => undefined,
    offlineDetails: (repo) => {
      asked.push(repo.id);
      if (!inCache(repo.id)) throw new Error('not in the cache');
      return cached;
    },
  });
  return { model: slice['gallery.model'], asked };
}

const refused = (async () => {
  throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
}) as typeof globalThis.fetch;

describe('gallery.model with the Hub down', () => {
  it('shows a cached model from the cache, with the Hub problem kept for a details line', async () => {
    const { model } = handlers(refused, () => true);
    const m = await model({ repo: 'acme/tiny-llm', revision: 'main' });
    expect(m.source).toBe('cache');
    expect(m.card).toBe('A tiny test model');
    expect(m.hubProblem?.code).toBe('NETWORK');
    expect(m.hubProblem?.message).toMatch(/ECONNREFUSED/);
  });

  it('treats a Hub answering 5xx the same', async () => {
    const { model } = handlers((async () => new Response('down', { status: 503 })) as typeof globalThis.fetch, () => true);
    const m = await model({ repo: 'acme/tiny-llm', revision: 'main' });
    expect(m.hubProblem?.code).toBe('SERVER_ERROR');
  });

  it('says the Hub problem itself when the model is not on this machine', async () => {
    const { model, asked } = handlers(refused, () => false);
    await expect(model({ repo: 'acme/other', revision: 'main' })).rejects.toMatchObject({ code: 'NETWORK' });
    expect(asked).toEqual(['acme/other']);
  });

  it('never hides what the Hub said about the repo (not found) behind the cache', async () => {
    const notFound = (async () => new Response('{}', { status: 404, headers: { 'x-error-code': 'RepoNotFound' } })) as typeof globalThis.fetch;
    const { model, asked } = handlers(notFound, () => true);
    await expect(model({ repo: 'acme/tiny-llm', revision: 'main' })).rejects.toMatchObject({ code: 'REPO_NOT_FOUND' });
    expect(asked).toEqual([]);
  });
});
