/** The one schema of Hubcap's persisted settings, shared by the desktop shell and `hubcap serve`. */
import { z } from 'zod';
import { LOAD_SETTING_FIELDS } from '../contract/inference';
import { LOCAL_API_DEFAULT_PARALLEL, LOCAL_API_DEFAULT_PORT, LOCAL_API_MAX_PARALLEL } from '../contract/localapi';
import { MIRROR_DEFAULT_PORT, MIRROR_LOOPBACK } from '../contract/mirror';
import { SETTING_FIELDS, THEMES } from '../contract/settings';

export const WindowBounds = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(100_000),
  height: z.number().int().min(150).max(100_000),
  maximized: z.boolean(),
});
export type WindowBounds = z.infer<typeof WindowBounds>;

export const StoredSettings = z.object({
  schemaVersion: z.literal(1).default(1),
  hubCacheDir: z.string().min(1).nullable().default(null),
  offline: z.boolean().default(false),
  theme: z.enum(THEMES).default('system'),
  windowBounds: WindowBounds.nullable().default(null),
  downloadConcurrency: SETTING_FIELDS.downloadConcurrency.default(3),
  downloadConnections: SETTING_FIELDS.downloadConnections.default('auto'),
  /** Make huggingface_hub 2.x's shared blob store in a plain cache (Python ≥ 2.0 would); off: a plain cache stays plain. */
  createSharedStore: z.boolean().default(false),
  unloadAfterMinutes: SETTING_FIELDS.unloadAfterMinutes.default(30),
  /** Defaults for every model load; the Chat page can override them per load. */
  loadDefaults: z
    .object({
      gpuLayers: LOAD_SETTING_FIELDS.gpuLayers.default('auto'),
      contextSize: LOAD_SETTING_FIELDS.contextSize.default('auto'),
      batchSize: LOAD_SETTING_FIELDS.batchSize.default(null),
      threads: LOAD_SETTING_FIELDS.threads.default(null),
    })
    .default({ gpuLayers: 'auto', contextSize: 'auto', batchSize: null, threads: null }),
  /** The local OpenAI-compatible API: off until the user turns it on; loopback unless exposed. */
  localApi: z
    .object({
      enabled: z.boolean().default(false),
      port: z.number().int().min(1).max(65535).default(LOCAL_API_DEFAULT_PORT),
      exposed: z.boolean().default(false),
      corsOrigins: z.array(z.string().max(256)).max(32).default([]),
      parallel: z.union([z.literal('auto'), z.number().int().min(1).max(LOCAL_API_MAX_PARALLEL)]).default(LOCAL_API_DEFAULT_PARALLEL),
    })
    .default({ enabled: false, port: LOCAL_API_DEFAULT_PORT, exposed: false, corsOrigins: [], parallel: LOCAL_API_DEFAULT_PARALLEL }),
  /** Share models on this network (the Hub mirror, #28): off until the user turns it on; loopback unless an interface is chosen. */
  mirror: z
    .object({
      enabled: z.boolean().default(false),
      port: z.number().int().min(1).max(65535).default(MIRROR_DEFAULT_PORT),
      host: z.string().max(64).default(MIRROR_LOOPBACK),
      rateLimit: z.number().int().min(0).default(0),
      allow: z.string().max(2000).default(''),
      pullThrough: z.boolean().default(true),
    })
    .default({ enabled: false, port: MIRROR_DEFAULT_PORT, host: MIRROR_LOOPBACK, rateLimit: 0, allow: '', pullThrough: true }),
});
export type StoredSettings = z.infer<typeof StoredSettings>;

export const DEFAULT_SETTINGS: StoredSettings = StoredSettings.parse({});
