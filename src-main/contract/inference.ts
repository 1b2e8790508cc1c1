/** Local inference: shapes shared by the core, the inference host and the renderer, and its requests. */
import { z } from 'zod';
import { ItemKeySchema } from './keys';
import { Empty, event, request } from './request';

export type GpuBackend = 'cuda' | 'vulkan' | 'metal' | 'cpu';

export interface HardwareView {
  backend: GpuBackend;
  /** Set when models will run on the CPU, saying why, so nobody wonders why it is slow. */
  cpuNotice: string | null;
  gpuDevices: string[];
  /** null on the CPU backend. */
  vram: { total: number; free: number } | null;
  ram: { total: number; free: number };
  cpuCores: number;
  logicalCores: number;
  /** Threads a load uses when the setting is empty, before the model's size is known, and why. */
  defaultThreads: { threads: number; reason: string };
  supportsGpuOffloading: boolean;
  supportsMmap: boolean;
}

/** Manual overrides for a load; `auto` lets node-llama-cpp fit what it can. */
export interface LoadSettings {
  gpuLayers: number | 'auto';
  contextSize: number | 'auto';
  batchSize: number | null;
  threads: number | null;
}

export type FitVerdict = 'gpu' | 'partial' | 'cpu' | 'too-big';

/** node-llama-cpp's GGUF insights against this machine, with the numbers behind the verdict. */
export interface FitEstimate {
  verdict: FitVerdict;
  backend: GpuBackend;
  gpuLayers: number;
  totalLayers: number;
  contextSize: number;
  /** Estimated use for model + context at that configuration. */
  vramNeeded: number;
  ramNeeded: number;
  vram: { total: number; free: number } | null;
  ram: { total: number; free: number };
  modelSize: number;
  parameters: number | null;
}

export interface LoadedModel {
  key: string;
  name: string;
  path: string;
  contextSize: number;
  trainContextSize: number | null;
  gpuLayers: number;
  totalLayers: number;
  backend: GpuBackend;
  /** The chat template node-llama-cpp resolved from the model ("ChatML", "Llama3_1", "Jinja"…). */
  chatTemplate: string;
  /** Answers that can run at once (the context's sequences, each of `contextSize` tokens). */
  sequences: number;
  /** CPU threads it evaluates with, and why when Hubcap chose them (null when set by hand). */
  threads: number;
  threadsReason: string | null;
  loadMs: number;
  /** Set when the model was loaded although the estimate said it would not fit. */
  fitWarning: string | null;
}

/**
 * What the cache and updates ask of inference, structurally (their tests pass fakes): the model
 * Chat and the Local API run now, by the file it runs from and its name.
 */
export interface LoadedModelSource {
  /** `loading`: the model being loaded now, whose file node-llama-cpp is reading (absent in fakes with none). */
  status(): { model: Pick<LoadedModel, 'path' | 'name'> | null; loading?: Pick<LoadingModel, 'path' | 'name'> | null };
}

/**
 * The one reading of "which model does inference have loaded" for the cache's delete and updates'
 * cleanup (cache/loaded-models.ts keeps that file's revision): the one model the single engine
 * runs, and the one it is loading (its file is being read already, so taking it away mid-load
 * pulls it from under node-llama-cpp). Only file, name and whether it is still loading go out.
 */
export function loadedModelFiles(inference: LoadedModelSource): { path: string; name: string; loading?: true }[] {
  const { model, loading } = inference.status();
  return [...(model ? [{ path: model.path, name: model.name }] : []), ...(loading ? [{ path: loading.path, name: loading.name, loading: true as const }] : [])];
}

/** A model being loaded: its key, name, the file the engine reads, and how far it got (0..1). */
export interface LoadingModel {
  key: string;
  name: string;
  path: string;
  progress: number;
}

export type HostState = 'stopped' | 'starting' | 'ready';

export interface InferenceStatus {
  host: HostState;
  model: LoadedModel | null;
  loading: LoadingModel | null;
  /** The conversation being answered, if any. */
  generating: string | null;
  /** The last thing that went wrong (a host crash, a failed load), in words, until the next good load. */
  problem: { at: string; kind: 'crash' | 'load-failed'; message: string; /** The model it concerns, when one. */ key: string | null } | null;
}

// ---------- requests and events ----------

/** Each load setting's bounds, once: the schemas below, the stored defaults (settings/schema.ts) and the UI's inputs. */
export const LOAD_SETTING_BOUNDS = {
  gpuLayers: { min: 0, max: 1000 },
  contextSize: { min: 128, max: 1_048_576 },
  batchSize: { min: 1, max: 65_536 },
  threads: { min: 1, max: 256 },
} as const;

const bounded = (b: { min: number; max: number }) => z.number().int().min(b.min).max(b.max);

export const LOAD_SETTING_FIELDS = {
  gpuLayers: z.union([z.literal('auto'), bounded(LOAD_SETTING_BOUNDS.gpuLayers)]),
  contextSize: z.union([z.literal('auto'), bounded(LOAD_SETTING_BOUNDS.contextSize)]),
  batchSize: bounded(LOAD_SETTING_BOUNDS.batchSize).nullable(),
  threads: bounded(LOAD_SETTING_BOUNDS.threads).nullable(),
};

export const LoadSettingsInput = z.object(LOAD_SETTING_FIELDS).strict();

export const inferenceRequests = {
  'inference.status': request<InferenceStatus>()(Empty),
  'inference.hardware': request<HardwareView>()(z.object({ refresh: z.boolean().optional() }).strict()),
  'inference.fit': request<FitEstimate>()(z.object({ key: ItemKeySchema, settings: LoadSettingsInput.partial().optional() }).strict()),
  'inference.load': request<InferenceStatus>()(
    z.object({ key: ItemKeySchema, settings: LoadSettingsInput.partial().optional(), force: z.boolean().default(false) }).strict(),
  ),
  'inference.unload': request<InferenceStatus>()(Empty),
  /** Fit of a GGUF on the Hub, from its header alone (read over HTTP ranges). */
  'gallery.fit': request<FitEstimate>()(
    z
      .object({
        repo: z.string().min(1).max(200),
        revision: z.string().min(1).max(255),
        path: z
          .string()
          .min(1)
          .max(1024)
          .regex(/\.gguf$/i, 'Only GGUF files have a fit estimate.'),
      })
      .strict(),
  ),
} as const;

export const inferenceEvents = {
  'inference.changed': event<InferenceStatus>(),
} as const;
