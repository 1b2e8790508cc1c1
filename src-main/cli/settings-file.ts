/**
 * The settings file backend of `hubcap` (CLI and serve): the same file `conf` reads and writes
 * (`<data>/settings.json`, JSON indented with tabs, 0600, replaced atomically, conf's
 * `__internal__` key kept), without loading `conf`. conf brings ajv, semver and more: ~160 ms of
 * every command's start on this machine, for a feature set (schemas, migrations, watching,
 * encryption) Hubcap does not use: SettingsStore validates with zod itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readOwnFileSync, writePrivateFileAtomic } from '../base/atomic-write';
import type { SettingsBackend, SettingsBackendFactory } from '../settings/store';

const INTERNAL_KEY = '__internal__';

function readText(file: string): string | null {
  try {
    return readOwnFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export const settingsFileBackend: SettingsBackendFactory = ({ cwd, name, fileExtension }): SettingsBackend => {
  const file = path.join(cwd, `${name}.${fileExtension}`);
  return {
    path: file,
    get store(): Record<string, unknown> {
      const text = readText(file);
      return text === null ? {} : Object.assign({}, JSON.parse(text) as Record<string, unknown>);
    },
    set store(value: Record<string, unknown>) {
      const text = readText(file);
      let next = value;
      if (text !== null && !(INTERNAL_KEY in value)) {
        try {
          const current = JSON.parse(text) as Record<string, unknown>;
          if (INTERNAL_KEY in current) next = { ...value, [INTERNAL_KEY]: current[INTERNAL_KEY] };
        } catch {
          // an unreadable file is replaced; SettingsStore has already moved a corrupt one aside
        }
      }
      const data = JSON.stringify(next, undefined, '\t');
      // Unchanged: not written again (every command's start sets the store it has just read).
      if (data === text) return;
      fs.mkdirSync(cwd, { recursive: true });
      writePrivateFileAtomic(file, data);
    },
  };
};
