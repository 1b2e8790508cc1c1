/** What every CLI command shares with the app: the cache location, endpoint, token and offline rules. */
import os from 'node:os';
import { defaultDataDir } from '../app/data-dir';
import { resolveCacheDir } from '../cache/location';
import { resolveImplicitToken } from '../auth/token-source';
import { resolveEndpoint } from '../hub/endpoint';
import { offlineFromEnv } from '../hub/env-flags';
import { HubHttp } from '../hub/http';
import { SettingsStore } from '../settings/store';
import { confBackend } from '../settings/conf-backend';

export interface CliContext {
  cacheDir: string;
  dataDir: string;
  hub: HubHttp;
  env: NodeJS.ProcessEnv;
}

export function cliContext(opts: { cacheDir?: string | undefined }, env: NodeJS.ProcessEnv = process.env): CliContext {
  const homeDir = os.homedir();
  const dataDir = defaultDataDir(env, homeDir, process.platform);
  const settings = SettingsStore.open(dataDir, confBackend).get();
  const loc = { env, homeDir };
  const cacheDir = opts.cacheDir ? resolveCacheDir(opts.cacheDir, loc).path : resolveCacheDir(settings.hubCacheDir, loc).path;
  const token = resolveImplicitToken(loc);
  const hub = new HubHttp({
    endpoint: resolveEndpoint(env).url,
    token: () => token?.token ?? null,
    offline: () => offlineFromEnv(env) || settings.offline,
  });
  return { cacheDir, dataDir, hub, env };
}
