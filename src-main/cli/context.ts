/**
 * What every CLI command shares with the app: the same composition root (settings, account, the
 * Hub, the cache, the download engine) built headless, and the same handlers behind the same
 * contract, so a flag means in the CLI what the matching control means in the app. Differences, on
 * purpose: no inference host, no Hub probe at start, and downloads that are not the app's queue.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Core } from '../core/core';
import { dispatch } from '../core/dispatch';
import type { ParsedInput, RequestInput, RequestName, RequestOutput } from '../contract/api';
import { ApiError } from '../contract/errors';
import { readHfEnv } from '../hub/hf-env';
import { defaultDataDir } from '../settings/data-dir';
import { confBackend } from '../settings/conf-backend';

export function cliCore(opts: { cacheDir?: string | undefined }, env: NodeJS.ProcessEnv = process.env): Core {
  const homeDir = os.homedir();
  return new Core({
    transport: 'cli',
    env,
    homeDir,
    platform: process.platform,
    dataDir: defaultDataDir(env, homeDir, process.platform),
    settingsBackend: confBackend,
    probeHubOnStart: false,
    ephemeralQueue: true,
    uploadWorker: fileURLToPath(new URL('./publish-worker.js', import.meta.url)),
    ...(opts.cacheDir ? { cacheDirOverride: readHfEnv(env, homeDir).expand(opts.cacheDir) } : {}),
  });
}

/** One contract request, validated and run exactly as the app's would be; failures throw ApiError. */
export async function call<K extends RequestName>(core: Core, name: K, input: RequestInput<K> | ParsedInput<K>): Promise<RequestOutput<K>> {
  const result = await dispatch(core.handlers, name, input);
  if (!result.ok) throw new ApiError(result.error.code, result.error.message, result.error.details);
  return result.value as RequestOutput<K>;
}
