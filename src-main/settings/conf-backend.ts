/** `conf` backend for plain Node (hubcap serve, tests). The desktop shell uses electron-store instead. */
import Conf from 'conf';
import type { SettingsBackendFactory } from './store';

export const confBackend: SettingsBackendFactory = ({ cwd, name, fileExtension }) =>
  new Conf<Record<string, unknown>>({ cwd, configName: name, fileExtension, configFileMode: 0o600 });
