/** Models other apps already downloaded: found, shown, identified, and handed to the Hugging Face cache. */
import { z } from 'zod';
import type { ModelSummary } from './library';
import { event, request } from './request';

export type OtherApp = 'lm-studio' | 'ollama' | 'llama.cpp' | 'jan' | 'gpt4all' | 'text-generation-webui' | 'comfyui' | 'folder';

export const APP_NAMES: Record<OtherApp, string> = {
  'lm-studio': 'LM Studio',
  ollama: 'Ollama',
  'llama.cpp': 'llama.cpp',
  jan: 'Jan',
  gpt4all: 'GPT4All',
  'text-generation-webui': 'text-generation-webui',
  comfyui: 'ComfyUI',
  folder: 'Your folders',
};

/** Where a file probably comes from on the Hub, read from its path or its app's records. */
export interface HubHint {
  repo: string;
  /** The file's name in the repo when the path tells it (LM Studio, text-generation-webui). */
  file: string | null;
  /** Ollama's tag of an `hf.co/…` pull: the quantization it picked (`Q4_K_M`). */
  quant: string | null;
  /** What told us. */
  from: 'path' | 'ollama-manifest' | 'hf-cache';
}

export interface FoundModel {
  app: OtherApp;
  /** The file (first part of a split GGUF). */
  path: string;
  /** A name a person knows it by: the file name, or Ollama's `model:tag`. */
  name: string;
  format: 'gguf' | 'safetensors';
  size: number;
  summary: ModelSummary | null;
  /** Why its header could not be read, if it could not. */
  problem: string | null;
  hint: HubHint | null;
  /** Known without hashing: an Ollama blob's name, or an HF-cache blob name (still confirmed before use). */
  sha256: string | null;
  /** Already a Library item (key), when it is. */
  libraryKey: string | null;
}

export interface AppFolder {
  app: OtherApp;
  root: string;
  because: string;
  exists: boolean;
  /** Skipped folders and files, each with its reason (unreadable, a link out of the root, a bad manifest). */
  notes: string[];
}

/** Files whose bytes are the same in two places (size, then sha256). */
export interface DuplicateGroup {
  sha256: string;
  size: number;
  /** Where: found files, and the HF cache's blob when it holds one. */
  paths: { app: OtherApp | 'hf-cache'; path: string }[];
  /** Bytes that a single copy would save. */
  wasted: number;
}

export interface AppsReport {
  folders: AppFolder[];
  models: FoundModel[];
  duplicates: DuplicateGroup[];
  duplicatedBytes: number;
  /** Whether duplicates were looked for by hashing (slow for big trees) or only from known names. */
  hashed: boolean;
  scannedAt: string;
}

export interface AppsProgress {
  phase: 'listing' | 'reading' | 'hashing';
  done: number;
  total: number;
  current: string | null;
}

/** A file confirmed (or refused) as a file of a Hub repo by its sha256. */
export interface Identification {
  path: string;
  repo: string;
  revision: string;
  commit: string;
  /** The file's path in the repo. */
  file: string;
  size: number;
  sha256: string;
}

export type AdoptMode = 'auto' | 'clone' | 'link' | 'copy';

export interface AdoptPlanStep {
  path: string;
  file: string;
  size: number;
  /** How its bytes would land in blobs/: a clone or a link costs no space. */
  how: 'clone' | 'link' | 'copy' | 'present';
  /** Bytes it would write. */
  bytes: number;
}

export interface AdoptResult {
  repo: string;
  commit: string;
  cacheDir: string;
  steps: AdoptPlanStep[];
  /** Bytes written to the cache's disk. */
  bytesWritten: number;
}

/**
 * Freeing duplicated space: the Hugging Face cache's copy of a blob becomes a clone (or, where the
 * disk cannot clone, a hard link) of the same bytes in another app's folder. Only the cache is
 * written; other apps' folders (Ollama's store above all) are never touched.
 */
export interface ReclaimStep {
  sha256: string;
  /** The cache's blob that is replaced. */
  blob: string;
  /** The other app's file whose bytes it will share. */
  source: string;
  app: OtherApp;
  /** Bytes freed. */
  bytes: number;
}

export interface ReclaimPlan {
  steps: ReclaimStep[];
  bytes: number;
  /** Duplicates it cannot reclaim, and why (on another drive, only between other apps…). */
  notes: string[];
}

export interface ReclaimResult {
  steps: (ReclaimStep & { how: 'clone' | 'link' })[];
  freed: number;
  /** Steps left undone, and why (their blobs stay as they were). */
  notes: string[];
}

export const MAX_USER_FOLDERS = 50;
const AbsolutePath = z.string().min(1).max(4096);

export const appsRequests = {
  /** Looks in the known folders (and `folders`), with consent: the UI asks before calling it. */
  'apps.scan': request<AppsReport>()(z.object({ folders: z.array(AbsolutePath).max(MAX_USER_FOLDERS).default([]), hash: z.boolean().default(false) }).strict()),
  'apps.cancelScan': request<{ cancelled: boolean }>()(z.object({}).strict()),
  /** Adds found files to the Library, used in place and marked with their app. */
  'apps.addToLibrary': request<{ added: number; keys: string[]; skipped: { path: string; reason: string }[] }>()(
    z.object({ paths: z.array(AbsolutePath).min(1).max(5000) }).strict(),
  ),
  /** Confirms by sha256 that a file is `file` of `repo` at `revision` (from its hint when not given). */
  'apps.identify': request<Identification>()(
    z
      .object({
        path: AbsolutePath,
        repo: z.string().min(3).max(200).optional(),
        file: z.string().min(1).max(1024).optional(),
        revision: z.string().min(1).max(255).default('main'),
      })
      .strict(),
  ),
  /** Places identified files into the Hugging Face cache, as Python lays it out. `dryRun` shows the plan. */
  /** Several files of one repo into one snapshot (all confirmed first). */
  'apps.adoptRepo': request<AdoptResult>()(
    z
      .object({
        paths: z.array(AbsolutePath).min(1).max(500),
        repo: z.string().min(3).max(200).optional(),
        revision: z.string().min(1).max(255).default('main'),
        mode: z.enum(['auto', 'clone', 'link', 'copy']).default('auto'),
        dryRun: z.boolean().default(false),
      })
      .strict(),
  ),
  /** What reclaiming would free, from the last scan (scan with hashing to find every duplicate). */
  'apps.reclaimPlan': request<ReclaimPlan>()(z.object({}).strict()),
  /**
   * By clone only, unless `allowLink`: a hard link makes the cache share the other app's bytes, so
   * that app rewriting its file in place would change the cache (the UI says so before asking).
   */
  'apps.reclaim': request<ReclaimResult>()(z.object({ confirm: z.literal(true), allowLink: z.boolean().default(false) }).strict()),
  'apps.adopt': request<AdoptResult>()(
    z
      .object({
        path: AbsolutePath,
        repo: z.string().min(3).max(200).optional(),
        file: z.string().min(1).max(1024).optional(),
        revision: z.string().min(1).max(255).default('main'),
        mode: z.enum(['auto', 'clone', 'link', 'copy']).default('auto'),
        dryRun: z.boolean().default(false),
      })
      .strict(),
  ),
} as const;

export const appsEvents = {
  'apps.progress': event<AppsProgress>(),
} as const;
