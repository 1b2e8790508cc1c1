/** The `updates` entries of the command table; their handlers are in `../updates.ts`, imported when they run. */
import { command, handler, type CommandOptions } from '../command';

const UPDATES_OPTIONS = { json: { type: 'boolean', default: false }, 'cache-dir': { type: 'string' } } satisfies CommandOptions;

const UPDATE_OPTIONS = {
  branch: { type: 'string' },
  'allow-force-pushed': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
} satisfies CommandOptions;

const PIN_OPTIONS = { 'cache-dir': { type: 'string' } } satisfies CommandOptions;

export type UpdatesOptions = typeof UPDATES_OPTIONS;
export type UpdateOptions = typeof UPDATE_OPTIONS;
export type PinOptions = typeof PIN_OPTIONS;

export const updatesCommands = [
  command({
    name: 'updates',
    options: UPDATES_OPTIONS,
    positionals: true,
    usage: [
      ['[REPO…] [--json]', 'Ask the Hub whether cached models changed (each followed branch);'],
      ['[--cache-dir D]', 'with REPOs, also what changed: commits, files, GGUF metadata, bytes to download'],
    ],
    run: handler(async () => (await import('../updates')).listUpdates),
  }),
  command({
    name: 'update',
    options: UPDATE_OPTIONS,
    positionals: true,
    usage: [
      ['REPO [--branch B]', 'Fetch the new revision (verified), then move the branch;'],
      ['[--allow-force-pushed] [--json] [--cache-dir D]', 'the old one stays'],
    ],
    run: handler(async () => (await import('../updates')).updateRepo),
  }),
  command({
    name: 'pin',
    options: PIN_OPTIONS,
    positionals: true,
    usage: [['REPO [--cache-dir D]', 'Keep a repo at its current revision: no updates offered']],
    run: handler(async () => (await import('../updates')).pin),
  }),
  command({
    name: 'unpin',
    options: PIN_OPTIONS,
    positionals: true,
    usage: [['REPO [--cache-dir D]', 'Offer updates for a pinned repo again']],
    run: handler(async () => (await import('../updates')).unpin),
  }),
];
