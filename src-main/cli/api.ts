/**
 * `hubcap api [--port N] [--host H] [--parallel auto|N] [--cors ORIGIN…] [--show-key]`: the local OpenAI-compatible
 * API alone, for a headless box. Its first line is the base URL (scripts read it); the key comes
 * from HUBCAP_API_KEY (pods, containers), else the OS keychain, else one made for this run.
 */
import { parseArgs } from 'node:util';
import { osKeychain } from '../auth/keychain';
import { ApiError } from '../contract/errors';
import { LOCAL_API_DEFAULT_PARALLEL, LOCAL_API_MAX_PARALLEL } from '../contract/localapi';
import { apiKey, maskKey } from '../localapi/api-key';
import { startLocalApi } from '../localapi/server';
import { hostCore, inferenceLauncher } from './context';

export const DEFAULT_API_PORT = 8484;

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

export async function apiCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      cors: { type: 'string', multiple: true, default: [] },
      parallel: { type: 'string' },
      'show-key': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = values.port === undefined ? DEFAULT_API_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ApiError('VALIDATION_FAILED', `--port must be 0-65535, got ${values.port}`);
  const parallel = values.parallel === undefined || values.parallel === 'auto' ? LOCAL_API_DEFAULT_PARALLEL : Number(values.parallel);
  if (parallel !== 'auto' && (!Number.isInteger(parallel) || parallel < 1 || parallel > LOCAL_API_MAX_PARALLEL))
    throw new ApiError('VALIDATION_FAILED', `--parallel must be auto or 1-${LOCAL_API_MAX_PARALLEL}, got ${values.parallel}`);
  const core = hostCore('cli', { probeHubOnStart: false, inferenceLauncher: inferenceLauncher() });
  const key = apiKey(process.env, osKeychain());
  const api = await startLocalApi({
    inference: core.inference,
    items: () => core.library.items(),
    key: () => key.key,
    host: values.host,
    port,
    corsOrigins: () => values.cors,
    parallel,
  });
  process.stdout.write(`${api.url}\n`);
  if (key.source === 'HUBCAP_API_KEY') process.stderr.write('hubcap: API key: from HUBCAP_API_KEY\n');
  else if (key.source === 'session' || values['show-key'])
    process.stderr.write(
      `hubcap: API key${key.source === 'session' ? ' (this run only: no keychain here; set HUBCAP_API_KEY to keep one)' : ''}: ${key.key}\n`,
    );
  else process.stderr.write(`hubcap: API key (in the OS keychain): ${maskKey(key.key)}; --show-key prints it\n`);
  if (!isLoopback(values.host))
    process.stderr.write(`hubcap: warning: listening on ${values.host}; anyone who can reach it and has the key can use your models.\n`);
  const stop = () => void Promise.all([api.close(), core.close()]).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
