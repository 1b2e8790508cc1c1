/**
 * What changed in a GGUF's metadata between the cached file and the Hub's new one (#26.2): both
 * headers read by the one strict reader (library/gguf-header.ts): the local one from the cache
 * through untrusted-file, the new one by Range reads of its header only (inference/remote-header.ts,
 * which goes through HubHttp's token rules). Every key is compared; the ones people care about
 * (chat template, tokenizer, architecture) come first.
 */
import { openUntrusted } from '../base/untrusted-file';
import type { GgufChange } from '../contract/updates';
import type { HubHttp } from '../hub/http';
import { remoteGgufHeaders } from '../inference/remote-header';
import { FormatError } from '../library/format-error';
import { readGgufHeader, type GgufHeader, type GgufValue } from '../library/gguf-header';
import { fileReadAt } from '../library/read-file';

/** Keys listed first, in this order of interest; the rest follow by name. */
const FIRST = ['tokenizer.chat_template', 'general.architecture', 'tokenizer.ggml.model', 'tokenizer.ggml.pre'];
/** Long values (a chat template is kilobytes) are cut for display. */
const SHOWN = 400;
/** Keys compared at most (a hostile header has up to 100,000). */
const MAX_CHANGES = 200;

function show(v: GgufValue | undefined): string | null {
  if (v === undefined) return null;
  if (typeof v === 'object') {
    const { length, values } = v.array;
    return values ? `[${values.map(String).join(', ')}]`.slice(0, SHOWN) : `${length.toLocaleString('en')} entries`;
  }
  const s = String(v);
  return s.length > SHOWN ? `${s.slice(0, SHOWN)}… (${s.length.toLocaleString('en')} characters)` : s;
}

function same(a: GgufValue, b: GgufValue): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  const x = a.array;
  const y = b.array;
  if (x.type !== y.type || x.length !== y.length) return false;
  // Long arrays (a vocabulary) are not kept by the reader: equal length and type is all we know.
  if (!x.values || !y.values) return true;
  return x.values.every((v, i) => v === y.values?.[i]);
}

function rank(key: string): number {
  const i = FIRST.indexOf(key);
  if (i >= 0) return i;
  if (key.startsWith('tokenizer.')) return FIRST.length;
  if (key.startsWith('general.') || !key.includes('.') || /^[a-z0-9_]+\.(context_length|embedding_length|block_count|attention\.|rope\.)/.test(key))
    return FIRST.length + 1;
  return FIRST.length + 2;
}

/** The metadata keys that differ, most interesting first. */
export function ggufChanges(before: GgufHeader, after: GgufHeader): GgufChange[] {
  const keys = new Set([...Object.keys(before.metadata), ...Object.keys(after.metadata)]);
  const out: GgufChange[] = [];
  for (const key of keys) {
    const a = before.metadata[key];
    const b = after.metadata[key];
    if (a !== undefined && b !== undefined && same(a, b)) continue;
    out.push({ key, change: a === undefined ? 'added' : b === undefined ? 'removed' : 'changed', before: show(a), after: show(b) });
  }
  return out.sort((x, y) => rank(x.key) - rank(y.key) || x.key.localeCompare(y.key)).slice(0, MAX_CHANGES);
}

/** The header of a cached GGUF (a snapshot path; its links followed inside the cache only). */
export async function localGgufHeader(file: string, cacheRoot: string): Promise<GgufHeader> {
  const { fh, stat } = await openUntrusted(file, { root: cacheRoot, followLinks: true });
  try {
    return await readGgufHeader(fileReadAt(fh), stat.size);
  } finally {
    await fh.close();
  }
}

/** The header of the Hub's GGUF at a commit: Range reads of the header, never the tensors. */
export async function hubGgufHeader(hub: HubHttp, repoId: string, commit: string, file: string): Promise<GgufHeader> {
  const copy = await remoteGgufHeaders(hub, repoId, commit, file);
  try {
    // Our own temporary copy, opened the same careful way as any file.
    const { fh, stat } = await openUntrusted(copy.path);
    try {
      return await readGgufHeader(fileReadAt(fh), stat.size);
    } finally {
      await fh.close();
    }
  } finally {
    copy.dispose();
  }
}

/** Both headers compared; a header that cannot be read is said, not thrown. */
export async function compareGguf(local: () => Promise<GgufHeader>, remote: () => Promise<GgufHeader>): Promise<{ changes: GgufChange[] } | { note: string }> {
  try {
    const [before, after] = await Promise.all([local(), remote()]);
    return { changes: ggufChanges(before, after) };
  } catch (error) {
    const why = error instanceof FormatError ? error.message : (error as Error).message;
    return { note: `Its metadata could not be compared: ${why}` };
  }
}
