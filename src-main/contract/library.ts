/** The Library: every model runnable here, and its requests. */
import { z } from 'zod';
import { LocalItemKeySchema } from './keys';
import type { OtherApp } from './apps';
import { Empty, event, request } from './request';

export interface ModelSummary {
  architecture: string | null;
  parameters: number | null;
  quantization: string | null;
  contextLength: number | null;
}

export interface LibraryItem {
  /** "local:<uuid>" or "cache:<type>:<repo>@<commit>:<path>" */
  key: string;
  source: 'local' | 'cache';
  kind: 'gguf' | 'safetensors';
  name: string;
  /** Where it is: the file (first part) or the cache snapshot path. */
  path: string;
  parts: number;
  size: number;
  summary: ModelSummary | null;
  repo: string | null;
  revision: string | null;
  addedAt: string | null;
  lastUsed: string | null;
  /** A local file that has gone (moved, drive unplugged). */
  missing: boolean;
  /** A local checkpoint already in Hubcap's own folder (relocated, or uploaded under serve). */
  inHubcapFolder: boolean;
  /** Another app's file, used where it is (never moved, changed or deleted by Hubcap). */
  foundIn: OtherApp | null;
  /** Why this file cannot be run (a cached "GGUF" whose header is not one), in words; null when fine. */
  problem: string | null;
}

export interface AddResult {
  added: LibraryItem[];
  /** Each file not added, with one specific reason. */
  skipped: { path: string; reason: string }[];
}

export const libraryRequests = {
  'library.list': request<LibraryItem[]>()(Empty),
  'library.add': request<AddResult>()(z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(1000) }).strict()),
  /** The native "open files" dialog (desktop only). */
  'library.pickFiles': request<AddResult>()(Empty),
  /** Copy or move a local checkpoint into Hubcap's own folder (it is used in place until then). */
  'library.relocate': request<LibraryItem>()(z.object({ key: LocalItemKeySchema, mode: z.enum(['copy', 'move']) }).strict()),
  'library.remove': request<{ removed: true }>()(z.object({ key: LocalItemKeySchema, deleteFiles: z.boolean().default(false) }).strict()),
} as const;

export const libraryEvents = {
  'library.opened': event<AddResult>(),
} as const;
