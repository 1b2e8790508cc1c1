import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ENDPOINT,
  envFlag,
  expandUserPath as expand,
  readHfEnv,
  readLocalEnv,
  resolveCacheDir as resolveWithSetting,
  resolveEndpoint,
} from '../../src-main/hub/hf-env';

const home = '/home/ada';
const loc = (env: Record<string, string>) => ({ env, homeDir: home });
type Loc = ReturnType<typeof loc>;
// The environment is read once, by readHfEnv: these name what each test asks of it.
const resolveEnvCacheDir = (l: Loc) => readHfEnv(l.env, l.homeDir).cacheDir;
const resolveCacheDir = (setting: string | null, l: Loc) => resolveWithSetting(setting, readHfEnv(l.env, l.homeDir));
const expandUserPath = (v: string, l: Loc) => expand(v, l.env, l.homeDir);
const resolveHfHome = (l: Loc) => readHfEnv(l.env, l.homeDir).hfHome;
const offlineFromEnv = (env: Record<string, string>) => readHfEnv(env, home).offline;

describe('hub cache location (Python huggingface_hub order)', () => {
  it('defaults to ~/.cache/huggingface/hub', () => {
    expect(resolveEnvCacheDir(loc({}))).toEqual({ path: '/home/ada/.cache/huggingface/hub', source: 'default' });
  });

  it('uses XDG_CACHE_HOME, then HF_HOME, then HUGGINGFACE_HUB_CACHE, then HF_HUB_CACHE', () => {
    const env: Record<string, string> = { XDG_CACHE_HOME: '/x' };
    expect(resolveEnvCacheDir(loc(env))).toEqual({ path: '/x/huggingface/hub', source: 'XDG_CACHE_HOME' });
    env.HF_HOME = '/h';
    expect(resolveEnvCacheDir(loc(env))).toEqual({ path: '/h/hub', source: 'HF_HOME' });
    env.HUGGINGFACE_HUB_CACHE = '/legacy';
    expect(resolveEnvCacheDir(loc(env))).toEqual({ path: '/legacy', source: 'HUGGINGFACE_HUB_CACHE' });
    env.HF_HUB_CACHE = '/hub';
    expect(resolveEnvCacheDir(loc(env))).toEqual({ path: '/hub', source: 'HF_HUB_CACHE' });
  });

  it('lets the Hubcap setting win over every variable', () => {
    expect(resolveCacheDir('/mine', loc({ HF_HUB_CACHE: '/hub' }))).toEqual({ path: '/mine', source: 'setting' });
    expect(resolveCacheDir(null, loc({ HF_HUB_CACHE: '/hub' })).source).toBe('HF_HUB_CACHE');
    expect(resolveCacheDir('  ', loc({})).source).toBe('default');
  });

  it('ignores empty variables, as Python does', () => {
    expect(resolveEnvCacheDir(loc({ HF_HUB_CACHE: '', HF_HOME: ' ' })).source).toBe('default');
  });

  it('expands ~ and $VARS like Python (os.path.expanduser + expandvars)', () => {
    expect(expandUserPath('~/models', loc({}))).toBe('/home/ada/models');
    expect(expandUserPath('$DATA/hf', loc({ DATA: '/mnt/d' }))).toBe('/mnt/d/hf');
    expect(expandUserPath('${DATA}/hf', loc({ DATA: '/mnt/d' }))).toBe('/mnt/d/hf');
    expect(expandUserPath('/a/$UNSET/b', loc({}))).toBe(path.resolve('/a/$UNSET/b'));
    expect(resolveEnvCacheDir(loc({ HF_HOME: '~/hf' }))).toEqual({ path: '/home/ada/hf/hub', source: 'HF_HOME' });
    expect(resolveHfHome(loc({ XDG_CACHE_HOME: '~/c' }))).toBe('/home/ada/c/huggingface');
  });
});

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

describe("Hubcap's own variables", () => {
  it('reads the shell, the data folder, the hashing thread and CPU-only inference once, as values', () => {
    const local = readLocalEnv({ SHELL: '/usr/bin/fish', HUBCAP_DATA_DIR: '/data/hc', HUBCAP_HASH_THREAD: 'inline', HUBCAP_INFERENCE_GPU: 'cpu' });
    expect(local).toMatchObject({ shell: '/usr/bin/fish', hubcap: { dataDir: '/data/hc', hashThread: 'inline', inferenceCpuOnly: true } });
    expect(readLocalEnv({ HUBCAP_HASH_THREAD: 'gpu', HUBCAP_INFERENCE_GPU: 'auto' })).toMatchObject({
      shell: '',
      hubcap: { dataDir: null, hashThread: null, inferenceCpuOnly: false },
    });
  });
});
