/**
 * Every environment variable Hubcap reads, in one place, typed and documented, like
 * huggingface_hub's constants.py (docs/hub-protocol.md §2): the Hugging Face ones with Python's
 * exact semantics (booleans are 1/ON/YES/TRUE; `~` and `$VAR` expanded in paths; empty means
 * unset), the XDG folders, and Hubcap's own HUBCAP_* switches. Read once, when the core starts.
 */
import path from 'node:path';
import type { CacheDirSource } from '../contract/settings';

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export interface ResolvedEndpoint {
  url: string;
  source: 'HF_ENDPOINT' | 'default';
}

export interface ResolvedCacheDir {
  path: string;
  source: CacheDirSource;
}

export interface HfEnv {
  /** `~` and `$VAR` expanded against this environment, as Python expands paths it reads. */
  expand: (value: string) => string;
  /** HF_ENDPOINT: the Hub's base URL, where the token may go (never settable from the UI). */
  endpoint: ResolvedEndpoint;
  /** HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
  hfHome: string;
  /** The hub cache from the environment alone: HF_HUB_CACHE > HUGGINGFACE_HUB_CACHE > HF_HOME/hub. */
  cacheDir: ResolvedCacheDir;
  /** HF_TOKEN_PATH, else HF_HOME/token: the plaintext file `hf auth login` writes. */
  tokenPath: string;
  /** HF_TOKEN, else the legacy HUGGING_FACE_HUB_TOKEN; whitespace stripped, empty means unset. */
  token: { name: 'HF_TOKEN' | 'HUGGING_FACE_HUB_TOKEN'; value: string } | null;
  /** HF_HUB_OFFLINE (or the legacy TRANSFORMERS_OFFLINE): no network request at all. */
  offline: boolean;
  /** HF_HUB_DISABLE_IMPLICIT_TOKEN: send no stored token unless asked. */
  disableImplicitToken: boolean;
  /** HF_HUB_DISABLE_SYMLINKS: write copies into snapshots instead of links. */
  disableSymlinks: boolean;
  /** HF_HUB_DISABLE_XET: Xet files too take the classic whole-file download. */
  disableXet: boolean;
  /** HF_HUB_DOWNLOAD_TIMEOUT (seconds, default 10): a download stream idle this long is dropped and resumed. */
  downloadTimeoutMs: number;
  /** HF_HUB_ETAG_TIMEOUT (seconds, default 10): how long a metadata request (HEAD) may take. */
  etagTimeoutMs: number;
  /** SHELL: the user's shell, so the line that points Python at a moved cache is in its syntax. */
  shell: string;
  /** XDG_CONFIG_HOME (Linux), for Hubcap's own data folder. */
  xdgConfigHome: string | null;
  /** Hubcap's own switches. */
  hubcap: {
    /** HUBCAP_DATA_DIR: Hubcap's data folder (settings, queue, conversations). */
    dataDir: string | null;
    /** HUBCAP_HASH_THREAD=worker|inline: where downloads are hashed (benchmarks compare both). */
    hashThread: 'worker' | 'inline' | null;
    /** HUBCAP_INFERENCE_GPU=cpu: run models on the CPU even when a GPU is there. */
    inferenceCpuOnly: boolean;
    /** HUBCAP_BENCH: CLI results also say the process's peak memory (benchmarks read it). */
    bench: boolean;
    /** HUBCAP_UI_DIR: serve the renderer from this folder instead of the built one beside the CLI. */
    uiDir: string | null;
  };
}

/**
 * The process's environment, for the entry points (CLI, desktop shell, inference host) to read once
 * and pass on as a value: nothing else in src-main reads `process.env` (lint holds it).
 */
export function processEnv(): Env {
  return process.env;
}

/** Python's boolean env parsing: true for 1/ON/YES/TRUE (any case). */
export function envFlag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(value.trim().toUpperCase());
}

function nonEmpty(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

/** Python's os.path.expanduser + os.path.expandvars: `~`, `$VAR`, `${VAR}`; unknown vars are left as-is. */
export function expandUserPath(value: string, env: Env, homeDir: string): string {
  let out = value;
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) out = homeDir + out.slice(1);
  out = out.replace(/\$(\w+)|\$\{([^}]+)\}/g, (whole, a: string | undefined, b: string | undefined) => {
    const v = env[(a ?? b) as string];
    return v === undefined ? whole : v;
  });
  return path.resolve(out);
}

export function resolveEndpoint(env: Env): ResolvedEndpoint {
  const raw = env.HF_ENDPOINT?.trim();
  if (!raw) return { url: DEFAULT_ENDPOINT, source: 'default' };
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`HF_ENDPOINT is not a valid URL: ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`HF_ENDPOINT must be an http(s) URL, got ${parsed.protocol}`);
  }
  return { url: raw.replace(/\/+$/, ''), source: 'HF_ENDPOINT' };
}

/** Seconds from the environment as milliseconds; the default when unset or not a positive number. */
function seconds(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return nonEmpty(value) && Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : fallback * 1000;
}

/** The variables that never fail to read: XDG_CONFIG_HOME and Hubcap's own (the data folder needs them early). */
export function readLocalEnv(env: Env): Pick<HfEnv, 'shell' | 'xdgConfigHome' | 'hubcap'> {
  const hashThread = env.HUBCAP_HASH_THREAD;
  return {
    shell: env.SHELL ?? '',
    xdgConfigHome: nonEmpty(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME.trim() : null,
    hubcap: {
      dataDir: nonEmpty(env.HUBCAP_DATA_DIR) ? path.resolve(env.HUBCAP_DATA_DIR.trim()) : null,
      hashThread: hashThread === 'worker' || hashThread === 'inline' ? hashThread : null,
      inferenceCpuOnly: env.HUBCAP_INFERENCE_GPU === 'cpu',
      bench: nonEmpty(env.HUBCAP_BENCH),
      uiDir: nonEmpty(env.HUBCAP_UI_DIR) ? env.HUBCAP_UI_DIR : null,
    },
  };
}

/** Everything at once; throws (with the variable's name) for an HF_ENDPOINT that is not an http(s) URL. */
export function readHfEnv(env: Env, homeDir: string): HfEnv {
  const expand = (v: string) => expandUserPath(v, env, homeDir);
  const xdgCache = nonEmpty(env.XDG_CACHE_HOME) ? expand(env.XDG_CACHE_HOME) : path.join(homeDir, '.cache');
  const hfHome = nonEmpty(env.HF_HOME) ? expand(env.HF_HOME) : path.join(xdgCache, 'huggingface');
  const cacheDir: ResolvedCacheDir = nonEmpty(env.HF_HUB_CACHE)
    ? { path: expand(env.HF_HUB_CACHE), source: 'HF_HUB_CACHE' }
    : nonEmpty(env.HUGGINGFACE_HUB_CACHE)
      ? { path: expand(env.HUGGINGFACE_HUB_CACHE), source: 'HUGGINGFACE_HUB_CACHE' }
      : { path: path.join(hfHome, 'hub'), source: nonEmpty(env.HF_HOME) ? 'HF_HOME' : nonEmpty(env.XDG_CACHE_HOME) ? 'XDG_CACHE_HOME' : 'default' };
  let token: HfEnv['token'] = null;
  for (const name of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN'] as const) {
    const value = env[name]?.replace(/\s+/g, '');
    if (value) {
      token = { name, value };
      break;
    }
  }
  return {
    ...readLocalEnv(env),
    expand,
    endpoint: resolveEndpoint(env),
    hfHome,
    cacheDir,
    tokenPath: nonEmpty(env.HF_TOKEN_PATH) ? expand(env.HF_TOKEN_PATH.trim()) : path.join(hfHome, 'token'),
    token,
    offline: envFlag(env.HF_HUB_OFFLINE) || envFlag(env.TRANSFORMERS_OFFLINE),
    disableImplicitToken: envFlag(env.HF_HUB_DISABLE_IMPLICIT_TOKEN),
    disableSymlinks: envFlag(env.HF_HUB_DISABLE_SYMLINKS),
    disableXet: envFlag(env.HF_HUB_DISABLE_XET),
    downloadTimeoutMs: seconds(env.HF_HUB_DOWNLOAD_TIMEOUT, 10),
    etagTimeoutMs: seconds(env.HF_HUB_ETAG_TIMEOUT, 10),
  };
}

/** Hubcap's setting wins over the environment (the user chose it in this app). */
export function resolveCacheDir(setting: string | null | undefined, hf: HfEnv): ResolvedCacheDir {
  if (nonEmpty(setting ?? undefined)) return { path: hf.expand(setting as string), source: 'setting' };
  return hf.cacheDir;
}
