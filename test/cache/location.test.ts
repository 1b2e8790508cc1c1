import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandUserPath, resolveCacheDir, resolveEnvCacheDir, resolveHfHome } from '../../src-main/cache/location';

const home = '/home/ada';
const loc = (env: Record<string, string>) => ({ env, homeDir: home });

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
