/**
 * Hubcap's own data folder (settings, later logs and the download queue). It is the same folder
 * Electron's `app.getPath('userData')` gives for productName "Hubcap", so the desktop app and
 * `hubcap serve` on one machine share their settings. HUBCAP_DATA_DIR overrides it.
 */
import path from 'node:path';

export const PRODUCT_NAME = 'Hubcap';

export function defaultDataDir(env: Readonly<Record<string, string | undefined>>, homeDir: string, platform: NodeJS.Platform): string {
  const override = env.HUBCAP_DATA_DIR?.trim();
  if (override) return path.resolve(override);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(homeDir, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return path.join(homeDir, 'Library', 'Application Support', PRODUCT_NAME);
  const xdgConfig = env.XDG_CONFIG_HOME?.trim() || path.join(homeDir, '.config');
  return path.join(xdgConfig, PRODUCT_NAME);
}
