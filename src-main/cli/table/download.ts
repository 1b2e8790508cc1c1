/** The `download` entry of the command table; its handler is `../download.ts`, imported when it runs. */
import { command, handler, type CommandOptions } from '../command';

const OPTIONS = {
  revision: { type: 'string', default: 'main' },
  'cache-dir': { type: 'string' },
  'repo-type': { type: 'string', default: 'model' },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  connections: { type: 'string' },
  force: { type: 'boolean', default: false },
  'local-dir': { type: 'string' },
  overwrite: { type: 'boolean', default: false },
} satisfies CommandOptions;

export type DownloadOptions = typeof OPTIONS;

export const downloadCommand = command({
  name: 'download',
  options: OPTIONS,
  positionals: true,
  usage: [
    ['REPO [FILES|PATTERNS…]', 'Download into the Hugging Face cache'],
    ['[--revision R] [--cache-dir D] [--repo-type model|dataset] [--json]'],
    ['[--force]', '(rehash what is there; fetch again what is corrupt)'],
    ['[--connections auto|N] [-q|--quiet]', '(range connections for large files; -q: no progress)'],
    ['[--local-dir DIR [--overwrite]]', 'Into a plain folder, files at their real paths, with Python’s'],
    ['', 'local-dir metadata (hf download --local-dir continues it, and the reverse);'],
    ['', '--overwrite replaces files there that are not this revision’s'],
  ],
  run: handler(async () => (await import('../download')).download),
});
