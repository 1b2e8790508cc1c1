/**
 * What a pasted link named on the model page: a file (…/blob/main/x.gguf) or a quantization
 * (hf.co/org/name:Q4_K_M), found among the model's groups, or said to be missing.
 */
import type { FileGroup, ModelDetails } from '../../../src-main/contract/model';

/** The row a pasted link named: the group holding that file, or the quantization of that name. */
export function focusedGroup(m: ModelDetails, file: string | null, quant: string | null): FileGroup | null {
  if (file) return m.groups.find((g) => g.files.some((f) => f.path === file)) ?? null;
  if (quant) return m.groups.find((g) => g.kind === 'gguf' && g.label.toLowerCase() === quant.toLowerCase()) ?? null;
  return null;
}

/** The file or quantization a link named that the model does not have; null when it has it or none was named. */
export function missingFocus(file: string | null, quant: string | null, focus: FileGroup | null): string | null {
  return (file || quant) && !focus ? (file ?? quant) : null;
}
