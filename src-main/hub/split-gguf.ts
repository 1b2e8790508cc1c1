/** A GGUF split in parts: `name-00001-of-00003.gguf` (1: base name, 2: part, 3: total). */
export const SPLIT_GGUF = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

/** The whole model's name for a part: `name-00001-of-00003.gguf` → `name.gguf`. */
export function splitModelName(file: string): string {
  return file.replace(SPLIT_GGUF, '$1.gguf');
}
