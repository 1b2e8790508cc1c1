/** The local OpenAI-compatible API as the app shows and runs it (Settings › Local API). */
import { z } from 'zod';
import { Empty, event, request } from './request';

export interface ApiRequestLog {
  at: string;
  method: string;
  path: string;
  model: string | null;
  status: number;
  promptTokens: number;
  completionTokens: number;
  tokensPerSecond: number;
  ms: number;
}

export interface LocalApiView {
  enabled: boolean;
  /** Listening now (the switch may be on while the port is taken: see `error`). */
  running: boolean;
  /** Base URL for clients, ending in /v1. */
  url: string | null;
  error: string | null;
  /** null until the API is first turned on (no key is made, or put in the keychain, before). */
  key: { masked: string; source: 'HUBCAP_API_KEY' | 'keychain' | 'session' } | null;
  /** The latest requests, newest first. */
  recent: ApiRequestLog[];
}

/** A model as clients name it (`model` in a request), with what it is. */
export interface LocalApiModel {
  id: string;
  /** The Library item it runs. */
  key: string;
  name: string;
  /** The Hub repo a cached model comes from; null for a local file. */
  repo: string | null;
  loaded: boolean;
}

export const LOCAL_API_DEFAULT_PORT = 8484;
/**
 * Requests for one model answered at once: 'auto' is 4 on a GPU (batching raises the aggregate,
 * as LM Studio's and Ollama's defaults assume) and 1 on the CPU, where four sequences made one
 * client 35% slower for no aggregate gain (docs/performance.md, Local API).
 */
export type ParallelSetting = 'auto' | number;
export const LOCAL_API_DEFAULT_PARALLEL: ParallelSetting = 'auto';
export const LOCAL_API_GPU_PARALLEL = 4;
export const LOCAL_API_MAX_PARALLEL = 8;

/** An origin as browsers send it: scheme, host, optional port; no path. */
const Origin = z
  .string()
  .trim()
  .max(256)
  .regex(/^(https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?|\*)$/, 'An origin looks like https://example.com or http://localhost:3000.');

export const LocalApiSettingsInput = z
  .object({
    enabled: z.boolean(),
    port: z.number().int().min(1).max(65535),
    /** Listen on every interface instead of loopback only (other machines can then reach it). */
    exposed: z.boolean(),
    corsOrigins: z.array(Origin).max(32),
    /** Requests for one model answered at once (its context's sequences, when it can afford them). */
    parallel: z.union([z.literal('auto'), z.number().int().min(1).max(LOCAL_API_MAX_PARALLEL)]),
  })
  .partial()
  .strict();

export const localApiRequests = {
  'localApi.get': request<LocalApiView>()(Empty),
  /** The whole key, to paste into a client (it is not the Hub token). */
  'localApi.key': request<{ key: string }>()(Empty),
  'localApi.regenerateKey': request<LocalApiView>()(Empty),
  /** The model ids /v1/models lists (the loaded one first): what to put in a client's `model`. */
  'localApi.models': request<LocalApiModel[]>()(Empty),
} as const;

export const localApiEvents = {
  'localApi.changed': event<LocalApiView>(),
} as const;
