/** Library shapes shared by the core and the renderer. */
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
}

export interface AddResult {
  added: LibraryItem[];
  /** Each file not added, with one specific reason. */
  skipped: { path: string; reason: string }[];
}
