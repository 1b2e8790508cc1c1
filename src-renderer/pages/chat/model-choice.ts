/**
 * Which model the Chat page's picker shows, and which load problem it still concerns, without a
 * browser: the picker keeps what the user picked, else the loaded model, else the open
 * conversation's model (so an unload or a reload does not jump to another), else the first one.
 */
import { ApiError } from '../../../src-main/contract/errors';
import type { FitEstimate, InferenceStatus } from '../../../src-main/contract/inference';
import type { LibraryItem } from '../../../src-main/contract/library';

/** The Library's GGUF models that can be loaded: files whose header is not a model's are marked there and never offered. */
export function chatModels(items: LibraryItem[]): LibraryItem[] {
  return items.filter((i) => i.kind === 'gguf' && !i.missing && !i.problem);
}

/** The key the picker shows ('' when there is no model at all). */
export function pickedKey(p: { selected: string; loaded: string | null; preferred: string | null; models: { key: string }[] }): string {
  const known = (k: string | null) => (k && p.models.some((m) => m.key === k) ? k : '');
  return p.selected || p.loaded || known(p.preferred) || p.models[0]?.key || '';
}

/** A failed load is about one model: it clears when another is picked. A crash concerns all. */
export function problemFor(problem: InferenceStatus['problem'], key: string): InferenceStatus['problem'] {
  return problem?.kind === 'crash' || problem?.key === key ? problem : null;
}

/** The estimate a load was refused with for not fitting (then it may be forced), else undefined. */
export function wontFitEstimate(error: unknown): FitEstimate | undefined {
  return error instanceof ApiError && error.code === 'WONT_FIT' ? (error.details as { fit?: FitEstimate } | undefined)?.fit : undefined;
}
