/**
 * Persisted settings. The storage backend is `conf` under `hubcap serve` and tests, and
 * `electron-store` (conf with Electron's defaults) in the desktop shell; both are handed in as a
 * factory so nothing here imports electron. Before the backend opens the file we validate it
 * ourselves: a corrupt or schema-invalid file is moved aside (never deleted) and defaults are used,
 * with a warning the UI shows, instead of a crash.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_SETTINGS, StoredSettings } from './schema';

/** The part of conf / electron-store we rely on. */
export interface SettingsBackend {
  readonly path: string;
  store: Record<string, unknown>;
}

export interface BackendOptions {
  cwd: string;
  name: string;
  fileExtension: 'json';
}

export type SettingsBackendFactory = (options: BackendOptions) => SettingsBackend;

export const SETTINGS_NAME = 'settings';

export class SettingsStore {
  readonly warnings: string[];
  readonly file: string;
  #backend: SettingsBackend;
  #current: StoredSettings;

  private constructor(backend: SettingsBackend, current: StoredSettings, warnings: string[]) {
    this.#backend = backend;
    this.#current = current;
    this.warnings = warnings;
    this.file = backend.path;
  }

  static open(dir: string, factory: SettingsBackendFactory, now: () => Date = () => new Date()): SettingsStore {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${SETTINGS_NAME}.json`);
    const warnings: string[] = [];
    const problem = inspectSettingsFile(file);
    if (problem) {
      const aside = path.join(dir, `${SETTINGS_NAME}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}.json`);
      fs.renameSync(file, aside);
      warnings.push(`The settings file could not be used (${problem}). It was kept as ${aside} and defaults are in use.`);
    }
    const backend = factory({ cwd: dir, name: SETTINGS_NAME, fileExtension: 'json' });
    const current = StoredSettings.parse(backend.store);
    backend.store = current;
    return new SettingsStore(backend, current, warnings);
  }

  get(): StoredSettings {
    return this.#current;
  }

  update(patch: Partial<StoredSettings>): StoredSettings {
    const next = StoredSettings.parse({ ...this.#current, ...patch });
    this.#backend.store = next;
    this.#current = next;
    return next;
  }
}

/** Returns why the file is unusable, or null when it is absent or valid. */
export function inspectSettingsFile(file: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `unreadable: ${(error as Error).message}`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  const parsed = StoredSettings.safeParse(json);
  if (!parsed.success) return `invalid values: ${z.prettifyError(parsed.error).replace(/\s+/g, ' ').trim()}`;
  return null;
}

export { DEFAULT_SETTINGS };
