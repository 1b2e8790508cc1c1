/** The `cache` entries of the command table; their handlers are in `../cache.ts`, imported when they run. */
import { command, handler, type CommandOptions } from '../command';

const OPTIONS = {
  json: { type: 'boolean', default: false },
  files: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
} satisfies CommandOptions;

export type CacheOptions = typeof OPTIONS;

function only<K extends keyof typeof OPTIONS>(...names: K[]): Pick<typeof OPTIONS, K | 'cache-dir'> {
  return Object.fromEntries([...names, 'cache-dir'].map((n) => [n, OPTIONS[n as K]])) as Pick<typeof OPTIONS, K | 'cache-dir'>;
}

/** The `cache` group of the command table; every one takes --cache-dir. */
export const cacheCommands = [
  command({
    name: 'cache ls',
    options: only('json', 'files'),
    positionals: true,
    usage: [
      ['[--json] [--cache-dir D]', 'List cached repos, revisions and sizes'],
      ['[REPO --files]', "(a repo's files: real paths, sizes, blobs, snapshot folder)"],
    ],
    run: handler(async () => (await import('../cache')).cacheList),
  }),
  command({
    name: 'cache rm',
    options: only('dry-run'),
    positionals: true,
    usage: [['REPO[@REVISION]… [--dry-run]', 'Delete from the cache (shows what it frees)'], ['[--cache-dir D]']],
    run: handler(async () => (await import('../cache')).cacheRemove),
  }),
  command({
    name: 'cache prune',
    options: only('dry-run'),
    positionals: true,
    usage: [['[--dry-run] [--cache-dir D]', 'Remove stale unfinished downloads and detached revisions']],
    run: handler(async () => (await import('../cache')).cachePrune),
  }),
  command({
    name: 'cache verify',
    options: only(),
    positionals: true,
    usage: [['[REPO] [--cache-dir D]', 'Rehash blobs and report corrupt ones']],
    run: handler(async () => (await import('../cache')).cacheVerify),
  }),
  command({
    name: 'cache mv',
    options: only(),
    positionals: true,
    usage: [['NEW_FOLDER [--cache-dir D]', 'Move the whole cache (another drive too; resumable)']],
    run: handler(async () => (await import('../cache')).cacheMove),
  }),
];
