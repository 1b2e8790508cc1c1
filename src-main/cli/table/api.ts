/** The `api` entry of the command table; its handler is `../api.ts`, imported when it runs. */
import { command, handler, type CommandOptions } from '../command';

export const DEFAULT_API_PORT = 8484;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  cors: { type: 'string', multiple: true, default: [] },
  parallel: { type: 'string' },
  'show-key': { type: 'boolean', default: false },
} satisfies CommandOptions;

export type ApiOptions = typeof OPTIONS;

export const apiCommand = command({
  name: 'api',
  options: OPTIONS,
  positionals: false,
  usage: [
    ['[--port N] [--host ADDR]', `The local OpenAI-compatible API alone (http://127.0.0.1:${DEFAULT_API_PORT}/v1;`],
    ['[--parallel auto|N] [--cors ORIGIN] [--show-key]', 'key from HUBCAP_API_KEY, else the OS keychain)'],
  ],
  run: handler(async () => (await import('../api')).api),
});
