/**
 * About how big a model's usual download is, from its parameter count (what the Hub's listing
 * tells): Q4_K_M for GGUF repos (about 4.85 bits a weight on llama.cpp's own tables), 16 bits for
 * safetensors (BF16/F16 checkpoints). An estimate, shown with "≈"; the model page has the real sizes.
 */
const BITS = { gguf: { label: 'Q4_K_M', bits: 4.85 }, safetensors: { label: 'BF16', bits: 16 } } as const;

export type RepoFormat = keyof typeof BITS;

export function repoFormat(tags: readonly string[]): RepoFormat | null {
  if (tags.includes('gguf')) return 'gguf';
  if (tags.includes('safetensors')) return 'safetensors';
  return null;
}

export function usualDownload(format: RepoFormat | null, parameters: number | null): { label: string; bytes: number } | null {
  if (!format || !parameters || !Number.isFinite(parameters) || parameters <= 0) return null;
  const { label, bits } = BITS[format];
  return { label, bytes: Math.round((parameters * bits) / 8) };
}
