/**
 * Hubcap's own data folder (settings, the download queue, conversations). It is the same folder
 * Electron's `app.getPath('userData')` gives for productName "Hubcap", so the desktop app and
 * `hubcap serve` on one machine share their settings. HUBCAP_DATA_DIR overrides it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cleanStaleTempFiles } from '../base/atomic-write';
import { readLocalEnv, type Env } from '../hub/hf-env';

export const PRODUCT_NAME = 'Hubcap';

export function defaultDataDir(env: Env, homeDir: string, platform: NodeJS.Platform): string {
  const hf = readLocalEnv(env);
  if (hf.hubcap.dataDir) return hf.hubcap.dataDir;
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(homeDir, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return path.join(homeDir, 'Library', 'Application Support', PRODUCT_NAME);
  return path.join(hf.xdgConfigHome ?? path.join(homeDir, '.config'), PRODUCT_NAME);
}

/** The data folder is private (0700), its files 0600; crash leftovers of atomic writes are removed. */
export function protectDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dataDir, 0o700);
  } catch {
    // a folder we cannot chmod (another owner, Windows) keeps its mode
  }
  for (const dir of [dataDir, path.join(dataDir, 'conversations')]) {
    cleanStaleTempFiles(dir);
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      if (!name.endsWith('.json')) continue;
      try {
        fs.chmodSync(path.join(dir, name), 0o600);
      } catch {
        // best effort, as above
      }
    }
  }
}
