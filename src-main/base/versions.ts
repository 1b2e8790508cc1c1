/** Versions shown in Settings. node-llama-cpp's version is read from its package.json, not by
 * importing it: loading the library itself is slow and pulls native binaries we may not need. */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { version as appVersion } from '../../package.json';

export { appVersion };

export function packageVersion(name: string, from: string = import.meta.url): string | null {
  try {
    let dir = path.dirname(createRequire(from).resolve(name));
    for (let i = 0; i < 8; i++) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && typeof pkg.version === 'string') return pkg.version;
      }
      dir = path.dirname(dir);
    }
  } catch {
    // not installed: shown as "not installed" in the UI
  }
  return null;
}
