/** The `serve` entry of the command table; its handler is `../serve.ts`, imported when it runs. */
import { command, handler, type CommandOptions } from '../command';

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'api-port': { type: 'string' },
  'mirror-port': { type: 'string' },
  'show-key': { type: 'boolean', default: false },
} satisfies CommandOptions;

export type ServeOptions = typeof OPTIONS;

export const serveCommand = command({
  name: 'serve',
  options: OPTIONS,
  positionals: false,
  usage: [
    ['[--port N] [--host ADDR]', 'Serve the Hubcap UI to a browser (loopback by default)'],
    ['[--api-port N] [--show-key]', '…and the local OpenAI-compatible API on its own port'],
    ['', '(its key printed masked unless --show-key)'],
    ['[--mirror-port N]', '…and the Hub mirror of this cache on its own port'],
  ],
  run: handler(async () => (await import('../serve')).serve),
});
