/** The `upload` entry of the command table; its handler is `../upload.ts`, imported when it runs. */
import { command, handler, type CommandOptions } from '../command';

const OPTIONS = {
  'repo-type': { type: 'string', default: 'model' },
  revision: { type: 'string', default: 'main' },
  private: { type: 'boolean', default: false },
  public: { type: 'boolean', default: false },
  'create-pr': { type: 'boolean', default: false },
  message: { type: 'string', short: 'm' },
  description: { type: 'string', default: '' },
  'path-in-repo': { type: 'string', default: '' },
  include: { type: 'string', multiple: true, default: [] },
  exclude: { type: 'string', multiple: true, default: [] },
  license: { type: 'string', default: '' },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
} satisfies CommandOptions;

export type UploadOptions = typeof OPTIONS;

export const uploadCommand = command({
  name: 'upload',
  options: OPTIONS,
  positionals: true,
  usage: [
    ['REPO [PATH…]', 'Publish files or folders to your own Hub repo (created if'],
    ['[--path-in-repo P] [--revision BRANCH]', 'missing, private unless --public); unchanged files skipped'],
    ['[--create-pr] [--message M] [--description D] [--include GLOB] [--exclude GLOB]'],
    ['[--repo-type model|dataset] [--license ID] [--private|--public] [--dry-run] [--json] [-q|--quiet]'],
  ],
  run: handler(async () => (await import('../upload')).upload),
});
