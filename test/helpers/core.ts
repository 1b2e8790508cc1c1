import path from 'node:path';
import { createCore, type Core, type CoreOptions } from '../../src-main/core/core';
import { confBackend } from '../../src-main/settings/conf-backend';
import { tmpDir } from './tmp';
import { memoryKeychain } from './keychain';

/** A core on a throwaway HOME and data folder that makes no network request unless asked. */
export function testCore(overrides: Partial<CoreOptions> = {}): Core {
  const home = tmpDir('hubcap-home-');
  return createCore({
    transport: 'serve',
    env: { HF_ENDPOINT: 'http://127.0.0.1:1' },
    homeDir: home,
    platform: 'linux',
    dataDir: path.join(home, 'data'),
    settingsBackend: confBackend,
    probeHubOnStart: false,
    fetch: () => Promise.reject(new Error('no network in unit tests')),
    keychain: memoryKeychain(),
    ...overrides,
  });
}
