/** The `mirror` entry of the command table; its handler is `../mirror.ts`, imported when it runs. */
import { command, handler, type CommandOptions } from '../command';

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  allow: { type: 'string' },
  'rate-limit': { type: 'string' },
  'show-key': { type: 'boolean', default: false },
  'cache-only': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} satisfies CommandOptions;

export type MirrorOptions = typeof OPTIONS;

export const mirrorCommand = command({
  name: 'mirror',
  options: OPTIONS,
  positionals: false,
  usage: [
    ['[--port N] [--host ADDR]', 'This cache as a read-only Hub for other machines'],
    ['[--allow NETS] [--rate-limit RATE]', '(first line: the HF_ENDPOINT to give them, key masked'],
    ['[--cache-only] [--show-key] [--json]', 'unless --show-key; --allow 10.0.0.0/8,…; RATE like 50M;'],
    ['', 'public repos it lacks are fetched once unless --cache-only)'],
  ],
  run: handler(async () => (await import('../mirror')).mirror),
});
