/** The `export` entry of the command table; its handler is `../export.ts`, imported when it runs. */
import { command, handler, type CommandOptions } from '../command';

const OPTIONS = {
  to: { type: 'string' },
  app: { type: 'string' },
  mode: { type: 'string' },
  replace: { type: 'boolean', default: false },
  create: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
} satisfies CommandOptions;

export type ExportOptions = typeof OPTIONS;

export const exportCommand = command({
  name: 'export',
  options: OPTIONS,
  positionals: true,
  usage: [
    ['REPO[@REV] [FILES…]', 'Use a cached model in another app: its files where that app looks,'],
    ['--app APP | --to DIR', 'readable names; APP: comfyui (models/<kind>/ from the header),'],
    ['', 'lmstudio, text-generation-webui; --to alone: any folder'],
    ['[--mode clone|link|symlink|copy]', '(a clone where the drive can; otherwise choose, told what each means)'],
    ['[--replace] [--create] [--dry-run]', '(replace conflicting files; create a missing folder)'],
    ['[--json] [--cache-dir D]'],
  ],
  run: handler(async () => (await import('../export')).exportModel),
});
