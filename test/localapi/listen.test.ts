/**
 * LocalApiService.listen: the one way a Local API server starts (Settings, `serve --api-port`,
 * `hubcap api`), tested with fakes of what the service declares it needs, not a whole core.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InferenceStatus } from '../../src-main/contract/inference';
import type { LocalApiOptions } from '../../src-main/localapi/context';
import type { LocalApi } from '../../src-main/localapi/server';
import { LocalApiService } from '../../src-main/localapi/service';
import { memoryKeychain } from '../helpers/keychain';

const IDLE: InferenceStatus = { host: 'stopped', model: null, loading: null, generating: null, problem: null };

/** An inference engine with nothing loaded: enough for the door, the key and /v1/models. */
const inference: LocalApiOptions['inference'] = {
  status: () => IDLE,
  complete: () => Promise.reject(new Error('not loaded')),
  embed: () => Promise.reject(new Error('not loaded')),
  apiCapacity: () => 1,
  reserveParallel: () => () => undefined,
};

const servers: LocalApi[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function service(env: Record<string, string> = {}): LocalApiService {
  return new LocalApiService({
    inference,
    items: async () => [],
    keychain: memoryKeychain(),
    env,
    settings: () => ({ enabled: false, port: 0, exposed: false, corsOrigins: [], parallel: 'auto' }),
    onChange: () => undefined,
  });
}

const models = (url: string, key: string, origin?: string) =>
  fetch(`${url}/models`, { headers: { authorization: `Bearer ${key}`, ...(origin ? { origin } : {}) } });

describe('LocalApiService.listen', () => {
  it("starts a server on the service's key, which a new key retires at once", async () => {
    const s = service();
    const api = await s.listen({ host: '127.0.0.1', port: 0, parallel: 'auto' });
    servers.push(api);
    expect(api.url).toBe(`http://127.0.0.1:${api.port}/v1`);
    const old = s.currentKey().key;
    expect((await models(api.url, old)).status).toBe(200);
    expect((await models(api.url, 'hc-wrong')).status).toBe(401);
    s.regenerate();
    expect((await models(api.url, old)).status).toBe(401);
    expect((await models(api.url, s.currentKey().key)).status).toBe(200);
  });

  it('asks the allowed origins at every request, and tells each request to onRequest', async () => {
    const s = service({ HUBCAP_API_KEY: 'hc-from-env-0123456789' });
    let origins: string[] = [];
    const seen: string[] = [];
    const api = await s.listen({ host: '127.0.0.1', port: 0, parallel: 1, corsOrigins: () => origins, onRequest: (l) => seen.push(l.path) });
    servers.push(api);
    const key = s.currentKey();
    expect(key.source).toBe('HUBCAP_API_KEY');
    const before = await models(api.url, key.key, 'http://tool.example');
    expect(before.headers.get('access-control-allow-origin')).toBeNull();
    origins = ['http://tool.example'];
    const after = await models(api.url, key.key, 'http://tool.example');
    expect(after.headers.get('access-control-allow-origin')).toBe('http://tool.example');
    await expect.poll(() => seen.filter((p) => p === '/v1/models').length).toBeGreaterThanOrEqual(2);
  });
});
