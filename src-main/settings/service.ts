/**
 * Settings as the app sees them: the stored values, where the cache is and why, offline mode and
 * its source, and changes checked before they are saved (a cache folder must be absolute and
 * writable; HF_HUB_OFFLINE cannot be switched off from the UI).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import type { SettingsPatch, SettingsView, SharedStoreView } from '../contract/settings';
import { resolveCacheDir, type HfEnv } from '../hub/hf-env';
import type { StoredSettings } from './schema';
import { SettingsStore, type SettingsBackendFactory } from './store';

export interface SettingsServiceOptions {
  dataDir: string;
  homeDir: string;
  backend: SettingsBackendFactory;
  hf: HfEnv;
  onChange?: (view: SettingsView) => void;
  /** Offline mode was switched on or off. */
  onOfflineChange?: () => void;
  /** The shared blob store of a cache folder, as the cache reads it (passed in: the cache sits above settings). */
  sharedStore?: (cacheDir: string) => Omit<SharedStoreView, 'create'>;
}

export class SettingsService {
  readonly store: SettingsStore;
  readonly #o: SettingsServiceOptions;

  constructor(opts: SettingsServiceOptions) {
    this.#o = opts;
    this.store = SettingsStore.open(opts.dataDir, opts.backend);
  }

  get(): StoredSettings {
    return this.store.get();
  }

  get warnings(): readonly string[] {
    return this.store.warnings;
  }

  cacheDir(): string {
    return resolveCacheDir(this.get().hubCacheDir, this.#o.hf).path;
  }

  isOffline(): boolean {
    return this.#o.hf.offline || this.get().offline;
  }

  view(): SettingsView {
    const s = this.get();
    const hf = this.#o.hf;
    const resolved = resolveCacheDir(s.hubCacheDir, hf);
    return {
      hubCache: { path: resolved.path, source: resolved.source, withoutSetting: hf.cacheDir, exists: isDirectory(resolved.path) },
      dataDir: this.#o.dataDir,
      settingsFile: this.store.file,
      endpoint: hf.endpoint,
      offline: { enabled: hf.offline || s.offline, source: hf.offline ? 'HF_HUB_OFFLINE' : s.offline ? 'setting' : 'default' },
      theme: s.theme,
      downloads: { concurrency: s.downloadConcurrency, connections: s.downloadConnections },
      sharedStore: { ...(this.#o.sharedStore?.(resolved.path) ?? { state: 'none', disabledBy: null }), create: s.createSharedStore },
      inference: { unloadAfterMinutes: s.unloadAfterMinutes, loadDefaults: s.loadDefaults },
      localApi: { ...s.localApi, corsOrigins: [...s.localApi.corsOrigins] },
      mirror: { ...s.mirror },
      warnings: [...this.store.warnings],
    };
  }

  /** Applies a checked patch (the schema already bounded its values); every field is optional. */
  update(patch: SettingsPatch): SettingsView {
    const { hubCacheDir, offline, localApi, mirror, ...rest } = patch;
    const next: Partial<StoredSettings> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    if (localApi) next.localApi = { ...this.get().localApi, ...Object.fromEntries(Object.entries(localApi).filter(([, v]) => v !== undefined)) };
    if (mirror) next.mirror = { ...this.get().mirror, ...Object.fromEntries(Object.entries(mirror).filter(([, v]) => v !== undefined)) };
    if (hubCacheDir !== undefined) next.hubCacheDir = hubCacheDir === null ? null : this.#checkCacheDir(hubCacheDir);
    if (offline !== undefined) {
      if (!offline && this.#o.hf.offline) {
        throw new ApiError('NOT_AVAILABLE', 'Offline mode is forced by HF_HUB_OFFLINE in the environment; unset it to go online.');
      }
      next.offline = offline;
    }
    const before = this.isOffline();
    this.store.update(next);
    const view = this.view();
    this.#o.onChange?.(view);
    if (before !== this.isOffline()) this.#o.onOfflineChange?.();
    return view;
  }

  /** Things only the shell stores (the window's place), saved without a view. */
  updateStored(patch: Partial<StoredSettings>): void {
    this.store.update(patch);
  }

  /** A user-typed cache folder: must be absolute (after ~ expansion) and, if it exists, a writable folder. */
  #checkCacheDir(input: string): string {
    const raw = input.trim();
    const looksAbsolute = path.isAbsolute(raw) || raw === '~' || raw.startsWith('~/') || /^\$\{?\w/.test(raw);
    if (!looksAbsolute) {
      throw new ApiError('INVALID_PATH', `Use a full path for the cache folder (for example ${path.join(this.#o.homeDir, 'hf-cache')}).`, {
        field: 'hubCacheDir',
      });
    }
    const resolved = this.#o.hf.expand(raw);
    let stat: fs.Stats | null = null;
    try {
      stat = fs.statSync(resolved);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ApiError('INVALID_PATH', `Cannot use ${resolved}: ${(error as Error).message}`, { field: 'hubCacheDir' });
      }
    }
    if (stat && !stat.isDirectory()) throw new ApiError('INVALID_PATH', `${resolved} is a file, not a folder.`, { field: 'hubCacheDir' });
    if (stat) {
      try {
        fs.accessSync(resolved, fs.constants.W_OK);
      } catch {
        throw new ApiError('INVALID_PATH', `Hubcap cannot write to ${resolved}.`, { field: 'hubCacheDir' });
      }
    }
    return resolved;
  }
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
