/** A model's page: what the Hub says about one repo at one revision. */
import type { ErrorCode } from './errors';

export interface ModelFile {
  path: string;
  size: number;
  lfs: boolean;
  /** The blob name (sha256 for LFS files, git sha1 otherwise): what the cache stores it as. */
  etag: string;
}

export interface FileGroup {
  /** "gguf" groups are one quantization each (split parts together); others by role. */
  kind: 'gguf' | 'mmproj' | 'safetensors' | 'config' | 'other';
  /** Q4_K_M, Q8_0, F16… for GGUF; a label otherwise. */
  label: string;
  files: ModelFile[];
  size: number;
  /** Split GGUF: number of parts (1 when whole). */
  parts: number;
}

export interface ModelDetails {
  id: string;
  revision: string;
  sha: string;
  gated: boolean;
  private: boolean;
  downloads: number;
  likes: number;
  lastModified: string | null;
  pipelineTag: string | null;
  tags: string[];
  parameters: number | null;
  branches: string[];
  tags_: string[];
  groups: FileGroup[];
  /** README.md without its YAML front matter; null when absent or not readable (e.g. gated). */
  card: string | null;
  cardNote: string | null;
  url: string;
  /** `cache`: read from the local cache (offline): no counts, and only what the cache holds. */
  source: 'hub' | 'cache';
  /**
   * Set when the page comes from the cache because the Hub did not answer (not offline mode): what
   * went wrong, kept for a details line and bug reports, never as the page's headline.
   */
  hubProblem?: { code: ErrorCode; message: string };
}
