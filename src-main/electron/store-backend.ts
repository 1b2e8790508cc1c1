/** electron-store backend for the desktop shell: the same settings file and schema as `conf` under serve. */
import ElectronStore from 'electron-store';
import type { SettingsBackendFactory } from '../settings/store';

export const electronStoreBackend: SettingsBackendFactory = ({ cwd, name, fileExtension }) =>
  new ElectronStore<Record<string, unknown>>({ cwd, name, fileExtension, configFileMode: 0o600 });
