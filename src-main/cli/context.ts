/** What every CLI command shares with the app: the cache location, endpoint, token and offline rules. */
import os from 'node:os';
import { defaultDataDir } from '../app/data-dir';
import { resolveCacheDir } from '../cache/location';
import { AccountService } from '../auth/account';
import { osKeychain } from '../auth/keychain';
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
  const endpoint = resolveEndpoint(env).url;
  const offline = () => offlineFromEnv(env) || settings.offline;
  // The same token rules as the app: HF_TOKEN, then the keychain's active token, then the token file.
  const account = new AccountService({ keychain: osKeychain(), loc, endpoint, offline, onChange: () => {} });
  const token = account.currentToken();
  const hub = new HubHttp({ endpoint, token: () => token, offline });
  return { cacheDir, dataDir, hub, env };
}
