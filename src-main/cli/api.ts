/**
 * `hubcap api [--port N] [--host H] [--parallel auto|N] [--cors ORIGIN…] [--show-key]`: the local OpenAI-compatible
 * API alone, for a headless box. Its first line is the base URL (scripts read it); the key comes
 * from HUBCAP_API_KEY (pods, containers), else the OS keychain, else one made for this run. It is
 * printed masked unless --show-key. `serve --api-port` starts the same server the same way
 * (`LocalApiService.listen`, as Settings › Local API does).
 */
import { ApiError } from '../contract/errors';
import { LOCAL_API_DEFAULT_PARALLEL, LOCAL_API_MAX_PARALLEL } from '../contract/localapi';
import { maskKey, type ApiKey } from '../localapi/api-key';
import { hostCore, inferenceLauncher } from './context';
import { stopOnSignals } from './signals';
import type { Parsed } from './command';
import { DEFAULT_API_PORT, type ApiOptions } from './table/api';

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

/** The key line for stderr: masked unless asked for in full, and where the key comes from. */
export function keyLine(key: ApiKey, showKey: boolean, whereToSee: string): string {
  if (key.source === 'HUBCAP_API_KEY') return showKey ? `hubcap: API key (from HUBCAP_API_KEY): ${key.key}\n` : 'hubcap: API key: from HUBCAP_API_KEY\n';
  const where = key.source === 'keychain' ? 'in the OS keychain' : 'this run only: no keychain here; set HUBCAP_API_KEY to keep one';
  return `hubcap: API key (${where}): ${showKey ? key.key : `${maskKey(key.key)}; --show-key prints it${whereToSee}`}\n`;
}

export async function api({ values }: Parsed<ApiOptions>): Promise<number> {
  const port = values.port === undefined ? DEFAULT_API_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ApiError('VALIDATION_FAILED', `--port must be 0-65535, got ${values.port}`);
  const parallel = values.parallel === undefined || values.parallel === 'auto' ? LOCAL_API_DEFAULT_PARALLEL : Number(values.parallel);
  if (parallel !== 'auto' && (!Number.isInteger(parallel) || parallel < 1 || parallel > LOCAL_API_MAX_PARALLEL))
    throw new ApiError('VALIDATION_FAILED', `--parallel must be auto or 1-${LOCAL_API_MAX_PARALLEL}, got ${values.parallel}`);
  const core = await hostCore('cli', { probeHubOnStart: false, inferenceLauncher: await inferenceLauncher() });
  const server = await core.localApi.listen({ host: values.host, port, parallel, corsOrigins: () => values.cors });
  process.stdout.write(`${server.url}\n`);
  process.stderr.write(keyLine(core.localApi.currentKey(), values['show-key'], ''));
  if (!isLoopback(values.host))
    process.stderr.write(`hubcap: warning: listening on ${values.host}; anyone who can reach it and has the key can use your models.\n`);
  stopOnSignals(() => Promise.all([server.close(), core.close()]));
  return 0;
}
