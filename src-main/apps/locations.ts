/**
 * Where other local-AI apps keep their models, per platform: the known folders only (plus those
 * the user adds), never a crawl of the disk. Each app's layout tells the scanner how to read it.
 * Sources: each app's docs and defaults (LM Studio's `~/.lmstudio/models` and its
 * `settings.json` `downloadsFolder`; Ollama's `OLLAMA_MODELS`; llama.cpp's `LLAMA_CACHE`).
 */
import path from 'node:path';
import type { OtherApp } from '../contract/apps';

export type AppLayout =
  /** `<root>/<publisher>/<repo>/<file>`: LM Studio (the path names the Hub repo). */
  | 'publisher-repo'
  /** `<root>/manifests/<registry>/<namespace>/<model>/<tag>` + `<root>/blobs/sha256-<hex>`. */
  | 'ollama'
  /** The Hugging Face cache layout (`models--org--name/…`): llama.cpp's current cache. */
  | 'hf-cache'
  /** Model files anywhere below the root, no hint from the path (Jan, GPT4All, old llama.cpp). */
  | 'files'
  /** `<root>/<user>_<repo>/…`: text-generation-webui's download-model.py. */
  | 'user_repo'
  /** ComfyUI's `models/<kind>/…` (checkpoints, loras, unet, vae…). */
  | 'comfyui';

export interface AppLocation {
  app: OtherApp;
  root: string;
  layout: AppLayout;
  /** Why this folder (which default, variable or setting), for the report. */
  because: string;
}

export interface LocationInputs {
  platform: NodeJS.Platform;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  /** LM Studio's settings file contents, when it exists (its `downloadsFolder` moves the models). */
  lmStudioSettings?: string | null;
}

/** ComfyUI's model kinds Hubcap lists (what its loaders read). */
export const COMFYUI_KINDS = ['checkpoints', 'loras', 'unet', 'vae', 'clip', 'text_encoders', 'diffusion_models'] as const;

function pathFor(platform: NodeJS.Platform) {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** The user's data folders as each platform names them. */
function platformDirs({ platform, home, env }: LocationInputs) {
  const p = pathFor(platform);
  if (platform === 'win32')
    return {
      data: env.APPDATA ?? p.join(home, 'AppData', 'Roaming'),
      local: env.LOCALAPPDATA ?? p.join(home, 'AppData', 'Local'),
      cache: env.LOCALAPPDATA ?? p.join(home, 'AppData', 'Local'),
    };
  if (platform === 'darwin')
    return {
      data: p.join(home, 'Library', 'Application Support'),
      local: p.join(home, 'Library', 'Application Support'),
      cache: p.join(home, 'Library', 'Caches'),
    };
  return {
    data: env.XDG_DATA_HOME || p.join(home, '.local', 'share'),
    local: env.XDG_DATA_HOME || p.join(home, '.local', 'share'),
    cache: env.XDG_CACHE_HOME || p.join(home, '.cache'),
  };
}

/** LM Studio's configured models folder from its settings.json, if it names one. */
export function lmStudioFolderFromSettings(text: string | null | undefined): string | null {
  if (!text || text.length > 1 << 20) return null;
  try {
    const parsed = JSON.parse(text) as { downloadsFolder?: unknown };
    return typeof parsed.downloadsFolder === 'string' && parsed.downloadsFolder.trim() ? parsed.downloadsFolder : null;
  } catch {
    return null;
  }
}

/** Every known folder for this platform, most specific first; the scanner skips those that do not exist. */
export function appLocations(inputs: LocationInputs): AppLocation[] {
  const { platform, home, env } = inputs;
  const p = pathFor(platform);
  const dirs = platformDirs(inputs);
  const out: AppLocation[] = [];
  const add = (app: OtherApp, root: string, layout: AppLayout, because: string) => {
    if (!out.some((l) => l.root === root)) out.push({ app, root, layout, because });
  };

  const lmConfigured = lmStudioFolderFromSettings(inputs.lmStudioSettings);
  if (lmConfigured) add('lm-studio', lmConfigured, 'publisher-repo', 'the models folder set in LM Studio');
  add('lm-studio', p.join(home, '.lmstudio', 'models'), 'publisher-repo', "LM Studio's default models folder");
  add('lm-studio', p.join(home, '.cache', 'lm-studio', 'models'), 'publisher-repo', "LM Studio's older models folder");

  if (env.OLLAMA_MODELS) add('ollama', env.OLLAMA_MODELS, 'ollama', 'OLLAMA_MODELS');
  add('ollama', p.join(home, '.ollama', 'models'), 'ollama', "Ollama's default models folder");
  if (platform === 'linux') add('ollama', '/usr/share/ollama/.ollama/models', 'ollama', "the Ollama system service's models folder");

  const llamaCache = env.LLAMA_CACHE || p.join(dirs.cache, 'llama.cpp');
  add('llama.cpp', llamaCache, 'hf-cache', env.LLAMA_CACHE ? 'LLAMA_CACHE' : "llama.cpp's default cache");

  add('jan', p.join(dirs.data, 'Jan', 'data'), 'files', "Jan's data folder");

  const gpt4all = platform === 'win32' ? p.join(dirs.local, 'nomic.ai', 'GPT4All') : p.join(dirs.data, 'nomic.ai', 'GPT4All');
  add('gpt4all', gpt4all, 'files', "GPT4All's download folder");

  add('text-generation-webui', p.join(home, 'text-generation-webui', 'models'), 'user_repo', "text-generation-webui's models folder");

  // ComfyUI Desktop keeps its models under Documents; a git checkout usually lives in the home folder.
  add('comfyui', p.join(home, 'Documents', 'ComfyUI', 'models'), 'comfyui', "ComfyUI Desktop's models folder");
  add('comfyui', p.join(home, 'ComfyUI', 'models'), 'comfyui', "ComfyUI's models folder");
  return out;
}

/** A folder the user added: its layout guessed from what is inside (see scan.ts `guessLayout`). */
export function userLocation(root: string, layout: AppLayout): AppLocation {
  return { app: 'folder', root, layout, because: 'a folder you added' };
}
