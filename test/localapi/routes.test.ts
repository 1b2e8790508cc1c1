/**
 * The endpoints without a model running: /health says only ok/loading without the key and the
 * details with it; a Hub repo id picks its one GGUF (or its Q4_K_M, or the `:QUANT` named), an
 * ambiguous one is a 400 listing the choices, an unknown one a 404 naming what there is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LibraryItem } from '../../src-main/contract/library';
import type { InferenceService } from '../../src-main/inference/service';
import type { ApiRequestLog } from '../../src-main/contract/localapi';
import type { LocalApiOptions } from '../../src-main/localapi/context';
import { startLocalApi, type LocalApi } from '../../src-main/localapi/server';
import { inferenceAt, place, settingsAt } from '../helpers/fakes';

/** The inference service as a build without the host has it, from its slice's needs (no Core): these tests never load a model. */
function inferenceWithoutHost() {
  const p = place();
  return { inference: inferenceAt(p, settingsAt(p)).service };
}

const KEY = 'hc-routes-test-0123456789';
let core: { inference: InferenceService } | null = null;
let api: LocalApi | null = null;

afterEach(async () => {
  await api?.close();
  core?.inference.close();
  api = null;
  core = null;
});

const cached = (repo: string, file: string, commit = 'a'.repeat(40)): LibraryItem => ({
  key: `cache:model:${repo}@${commit}:${file}`,
  source: 'cache',
  kind: 'gguf',
  name: file,
  path: `/cache/${file}`,
  parts: 1,
  size: 1,
  summary: null,
  repo,
  revision: 'main',
  addedAt: '2026-01-01T00:00:00.000Z',
  lastUsed: null,
  missing: false,
  inHubcapFolder: false,
  foundIn: null,
  problem: null,
});

/** The core's inference, its status optionally replaced (a model loading), the rest its own. */
function inference(c: { inference: InferenceService }, loading: boolean): LocalApiOptions['inference'] {
  const i = c.inference;
  return {
    complete: (r) => i.complete(r),
    embed: (k, t) => i.embed(k, t),
    apiCapacity: (k) => i.apiCapacity(k),
    reserveParallel: (n) => i.reserveParallel(n),
    status: () => (loading ? { ...i.status(), loading: { key: 'local:x', name: 'x.gguf', path: '/models/x.gguf', progress: 0.5 } } : i.status()),
  };
}

const logs: ApiRequestLog[] = [];

async function start(items: LibraryItem[], loading = false): Promise<string> {
  core = inferenceWithoutHost();
  api = await startLocalApi({
    inference: inference(core, loading),
    items: async () => items,
    key: () => KEY,
    host: '127.0.0.1',
    port: 0,
    onRequest: (l) => logs.push(l),
  });
  return api.url.replace(/\/v1$/, '');
}

async function get(url: string, key?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  return { status: res.status, body: await res.json() };
}

async function chat(base: string, model: string): Promise<{ status: number; body: { error: { message: string; code: string; param: string } } }> {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { status: res.status, body: (await res.json()) as never };
}

describe('/health', () => {
  it('without the key says only ok; with it, the details', async () => {
    const base = await start([cached('acme/private-model', 'm-Q4_K_M.gguf')]);
    expect(await get(`${base}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get(`${base}/health`, 'hc-wrong')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get(`${base}/health`, KEY)).toEqual({ status: 200, body: { status: 'ok', model: null, loadsOnDemand: true } });
  });

  it('says loading to anyone (503), naming nothing', async () => {
    const base = await start([cached('acme/private-model', 'm-Q4_K_M.gguf')], true);
    expect(await get(`${base}/health`)).toEqual({ status: 503, body: { status: 'loading' } });
  });

  it('with the key, says when there is no model to run', async () => {
    const base = await start([]);
    expect(await get(`${base}/health`, KEY)).toMatchObject({ status: 503, body: { status: 'no_model' } });
    expect(await get(`${base}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
  });
});

describe('a repo id as the model', () => {
  it('is a 400 listing the choices when it names several, and a 404 when it names none', async () => {
    const base = await start([
      cached('acme/tiny', 'tiny-Q5_K_M.gguf'),
      cached('acme/tiny', 'tiny-Q8_0.gguf'),
      cached('acme/tiny', 'tiny-F16-00001-of-00002.gguf'),
    ]);
    const ambiguous = await chat(base, 'acme/tiny');
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error).toMatchObject({ code: 'model_ambiguous', param: 'model' });
    expect(ambiguous.body.error.message).toBe(
      '"acme/tiny" names 3 models in Hubcap\'s Library; name one: acme/tiny/tiny-F16-00001-of-00002.gguf, acme/tiny/tiny-Q5_K_M.gguf, acme/tiny/tiny-Q8_0.gguf.',
    );
    const unknown = await chat(base, 'acme/other');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'model_not_found', param: 'model' });
    expect(unknown.body.error.message).toContain('acme/tiny/tiny-Q8_0.gguf');
    expect((await chat(base, 'acme/tiny:Q4_K_M')).status).toBe(404);
  });

  it('picks the one GGUF of a repo, its Q4_K_M among several, or the quantization named after a colon', async () => {
    const base = await start([cached('acme/solo', 'solo-Q8_0.gguf'), cached('acme/tiny', 'tiny-Q4_K_M.gguf'), cached('acme/tiny', 'tiny-Q8_0.gguf')]);
    // The model is picked before it is loaded; these files are not on disk, so each answer is a
    // load failure, and the request log says which model each name picked.
    const picked = async (model: string) => {
      await chat(base, model);
      return logs.at(-1)?.model;
    };
    expect(await picked('acme/solo')).toBe('acme/solo/solo-Q8_0.gguf');
    expect(await picked('Acme/Solo')).toBe('acme/solo/solo-Q8_0.gguf');
    expect(await picked('acme/tiny')).toBe('acme/tiny/tiny-Q4_K_M.gguf');
    expect(await picked('acme/tiny:Q8_0')).toBe('acme/tiny/tiny-Q8_0.gguf');
    expect(await picked('hf.co/acme/tiny:q8_0')).toBe('acme/tiny/tiny-Q8_0.gguf');
    expect(await picked('acme/tiny/tiny-Q8_0.gguf')).toBe('acme/tiny/tiny-Q8_0.gguf');
  });
});
