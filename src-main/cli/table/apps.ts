/** The `apps` entries of the command table; their handlers are in `../apps.ts`, imported when they run. */
import { command, handler, type CommandOptions } from '../command';

const SCAN_OPTIONS = {
  json: { type: 'boolean' },
  hash: { type: 'boolean' },
  reclaim: { type: 'boolean' },
  link: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'cache-dir': { type: 'string' },
} satisfies CommandOptions;

const ADOPT_OPTIONS = {
  repo: { type: 'string' },
  file: { type: 'string' },
  revision: { type: 'string' },
  mode: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  'cache-dir': { type: 'string' },
} satisfies CommandOptions;

export type ScanAppsOptions = typeof SCAN_OPTIONS;
export type AdoptOptions = typeof ADOPT_OPTIONS;

export const appsCommands = [
  command({
    name: 'scan-apps',
    options: SCAN_OPTIONS,
    positionals: true,
    usage: [
      ['[FOLDER…] [--hash] [--json]', 'Find models other apps downloaded (LM Studio, Ollama,'],
      ['', 'llama.cpp, Jan, GPT4All, text-generation-webui, ComfyUI)'],
      ['[--reclaim [--dry-run] [--link]]', '(free the space the cache duplicates of them: by clone;'],
      ['[--cache-dir D]', "--link allows hard links, which share the app's bytes)"],
    ],
    run: handler(async () => (await import('../apps')).scanApps),
  }),
  command({
    name: 'adopt',
    options: ADOPT_OPTIONS,
    positionals: true,
    usage: [
      ['PATH… [--repo ORG/NAME] [--file F]', 'Put a file already on disk into the Hugging Face cache,'],
      ['[--revision R] [--mode auto|clone|link|copy]', 'confirmed by sha256, no download'],
      ['[--dry-run] [--json] [--cache-dir D]', '(auto: a clone, else a copy; link only when asked)'],
    ],
    run: handler(async () => (await import('../apps')).adopt),
  }),
];
