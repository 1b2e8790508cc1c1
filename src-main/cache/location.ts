/**
 * Where the Hugging Face hub cache lives, resolved exactly like Python's huggingface_hub
 * (HF_HUB_CACHE > HUGGINGFACE_HUB_CACHE > HF_HOME/hub > XDG_CACHE_HOME/huggingface/hub >
 * ~/.cache/huggingface/hub), with Hubcap's own setting in front. Like Python (and unlike
 * @huggingface/hub) we expand `~` and `$VAR` so a value copied from a shell profile works.
 */
import path from 'node:path';
import type { CacheDirSource } from '../contract/api';

export interface ResolvedCacheDir {
  path: string;
  source: CacheDirSource;
}

export interface LocationEnv {
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
}

/** Python's os.path.expanduser + os.path.expandvars: `~`, `$VAR`, `${VAR}`; unknown vars are left as-is. */
export function expandUserPath(value: string, { env, homeDir }: LocationEnv): string {
  let out = value;
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) out = homeDir + out.slice(1);
  out = out.replace(/\$(\w+)|\$\{([^}]+)\}/g, (whole, a: string | undefined, b: string | undefined) => {
    const v = env[(a ?? b) as string];
    return v === undefined ? whole : v;
  });
  return path.resolve(out);
}

function nonEmpty(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

/** The HF_HOME folder (token files, hub cache and friends live below it). */
export function resolveHfHome(loc: LocationEnv): string {
  const { env, homeDir } = loc;
  if (nonEmpty(env.HF_HOME)) return expandUserPath(env.HF_HOME, loc);
  const xdg = nonEmpty(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(homeDir, '.cache');
  return path.join(expandUserPath(xdg, loc), 'huggingface');
}

/** The cache location from the environment alone (what Python tools would use). */
export function resolveEnvCacheDir(loc: LocationEnv): ResolvedCacheDir {
  const { env } = loc;
  if (nonEmpty(env.HF_HUB_CACHE)) return { path: expandUserPath(env.HF_HUB_CACHE, loc), source: 'HF_HUB_CACHE' };
  if (nonEmpty(env.HUGGINGFACE_HUB_CACHE)) {
    return { path: expandUserPath(env.HUGGINGFACE_HUB_CACHE, loc), source: 'HUGGINGFACE_HUB_CACHE' };
  }
  if (nonEmpty(env.HF_HOME)) return { path: path.join(resolveHfHome(loc), 'hub'), source: 'HF_HOME' };
  if (nonEmpty(env.XDG_CACHE_HOME)) return { path: path.join(resolveHfHome(loc), 'hub'), source: 'XDG_CACHE_HOME' };
  return { path: path.join(resolveHfHome(loc), 'hub'), source: 'default' };
}

/** Hubcap's setting wins over the environment (the user chose it in this app). */
export function resolveCacheDir(setting: string | null | undefined, loc: LocationEnv): ResolvedCacheDir {
  if (nonEmpty(setting ?? undefined)) return { path: expandUserPath(setting as string, loc), source: 'setting' };
  return resolveEnvCacheDir(loc);
}
