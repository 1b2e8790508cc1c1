import { describe, expect, it } from 'vitest';
import { DEFAULT_ENDPOINT, resolveEndpoint } from '../../src-main/hub/endpoint';
import { envFlag, offlineFromEnv } from '../../src-main/hub/env-flags';

describe('Hub endpoint', () => {
  it('defaults to huggingface.co and strips trailing slashes from HF_ENDPOINT', () => {
    expect(resolveEndpoint({})).toEqual({ url: DEFAULT_ENDPOINT, source: 'default' });
    expect(resolveEndpoint({ HF_ENDPOINT: 'http://127.0.0.1:8080//' })).toEqual({ url: 'http://127.0.0.1:8080', source: 'HF_ENDPOINT' });
  });
  it('rejects a non-http(s) or malformed HF_ENDPOINT with a clear message', () => {
    expect(() => resolveEndpoint({ HF_ENDPOINT: 'file:///etc' })).toThrow(/http\(s\)/);
    expect(() => resolveEndpoint({ HF_ENDPOINT: 'not a url' })).toThrow(/not a valid URL/);
  });
});

describe('env flags', () => {
  it('reads booleans as Python does', () => {
    for (const v of ['1', 'on', 'YES', 'True']) expect(envFlag(v)).toBe(true);
    for (const v of [undefined, '', '0', 'no', 'false', 'off']) expect(envFlag(v)).toBe(false);
    expect(offlineFromEnv({ HF_HUB_OFFLINE: '1' })).toBe(true);
    expect(offlineFromEnv({ TRANSFORMERS_OFFLINE: 'yes' })).toBe(true);
    expect(offlineFromEnv({})).toBe(false);
  });
});
