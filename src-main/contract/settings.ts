/** Settings as the UI sees and changes them, with each bound defined once (the stored schema uses them too). */
import { z } from 'zod';
import type { LoadSettings } from './inference';
import { LoadSettingsInput } from './inference';
import { LocalApiSettingsInput } from './localapi';
import { MirrorSettingsInput } from './mirror';
import { Empty, event, request } from './request';

export const CACHE_DIR_SOURCES = ['setting', 'HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'HF_HOME', 'XDG_CACHE_HOME', 'default'] as const;
export type CacheDirSource = (typeof CACHE_DIR_SOURCES)[number];

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** Connections per large file: 'auto' (adapts to the link, up to 16) or the most it may use. */
export type ConnectionsSetting = 'auto' | number;
/** The choices the Settings page offers (any whole number in bounds is accepted). */
export const CONNECTION_CHOICES = ['auto', 1, 2, 4, 8, 16] as const;

/** The bounds of every numeric setting, once: requests here, stored settings in settings/schema.ts, the UI's inputs. */
export const SETTING_BOUNDS = {
  /** Files downloaded at once, across all jobs. */
  downloadConcurrency: { min: 1, max: 8 },
  /** The most range connections one large file may use ('auto' adapts up to 16). */
  downloadConnections: { min: 1, max: 16 },
  /** Unload a loaded model after this many idle minutes; 0 keeps it loaded. */
  unloadAfterMinutes: { min: 0, max: 1440 },
} as const;

const bounded = (b: { min: number; max: number }) => z.number().int().min(b.min).max(b.max);

export const SETTING_FIELDS = {
  downloadConcurrency: bounded(SETTING_BOUNDS.downloadConcurrency),
  downloadConnections: z.union([z.literal('auto'), bounded(SETTING_BOUNDS.downloadConnections)]),
  unloadAfterMinutes: bounded(SETTING_BOUNDS.unloadAfterMinutes),
};

export interface CacheDirView {
  path: string;
  source: CacheDirSource;
  /** Where the cache would be without Hubcap's own setting (env or default). */
  withoutSetting: { path: string; source: CacheDirSource };
  exists: boolean;
}

/**
 * huggingface_hub 2.x's shared blob store in this cache (docs/hub-protocol.md §1.13): whether it is
 * there, whether Hubcap makes it in a plain cache (as Python ≥ 2.0 would on its first Xet
 * download; off by default, so a plain cache stays plain), and the variable that turns it off.
 */
export interface SharedStoreView {
  state: 'v1' | 'none' | 'unknown' | 'unmarked';
  create: boolean;
  disabledBy: 'HF_HUB_DISABLE_SHARED_BLOBS' | 'HF_HUB_DISABLE_XET' | null;
}

export interface SettingsView {
  hubCache: CacheDirView;
  dataDir: string;
  settingsFile: string;
  endpoint: { url: string; source: 'HF_ENDPOINT' | 'default' };
  offline: { enabled: boolean; source: 'HF_HUB_OFFLINE' | 'setting' | 'default' };
  theme: Theme;
  downloads: { concurrency: number; connections: ConnectionsSetting };
  sharedStore: SharedStoreView;
  inference: { unloadAfterMinutes: number; loadDefaults: LoadSettings };
  localApi: { enabled: boolean; port: number; exposed: boolean; corsOrigins: string[]; parallel: 'auto' | number };
  /** Share models on this network: the Hub mirror of this cache (#28). */
  mirror: { enabled: boolean; port: number; host: string; rateLimit: number; allow: string; pullThrough: boolean };
  /** Problems found while loading settings (e.g. a corrupt file set aside). */
  warnings: string[];
}

/** A user-typed folder path: non-empty, no NUL bytes, bounded. Absoluteness is checked in the core. */
const FolderPathInput = z
  .string()
  .trim()
  .min(1, 'Enter a folder path.')
  .max(4096, 'That path is too long.')
  .refine((p) => !p.includes('\0'), 'A path cannot contain a NUL character.');

export const SettingsPatch = z
  .object({
    /** null resets to the environment/default location. */
    hubCacheDir: FolderPathInput.nullable().optional(),
    offline: z.boolean().optional(),
    theme: z.enum(THEMES).optional(),
    downloadConcurrency: SETTING_FIELDS.downloadConcurrency.optional(),
    downloadConnections: SETTING_FIELDS.downloadConnections.optional(),
    /** Make the shared blob store in a cache that has none, on the first Xet download. */
    createSharedStore: z.boolean().optional(),
    unloadAfterMinutes: SETTING_FIELDS.unloadAfterMinutes.optional(),
    loadDefaults: LoadSettingsInput.optional(),
    localApi: LocalApiSettingsInput.optional(),
    mirror: MirrorSettingsInput.optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'Nothing to change.');
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const settingsRequests = {
  'settings.get': request<SettingsView>()(Empty),
  'settings.update': request<SettingsView>()(SettingsPatch),
} as const;

export const settingsEvents = {
  'settings.changed': event<SettingsView>(),
} as const;
