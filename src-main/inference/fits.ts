/**
 * Fit estimates of local GGUF files as loads need them: a runnable-model check before the host
 * is asked anything, fits kept a minute per file version and settings (reading a big header and
 * scoring configurations costs a large part of a second, and the Chat page asks before every
 * load), and as many sequences as the local API wants and the model affords.
 */
import fs from 'node:fs';
import { ApiError } from '../contract/errors';
import type { FitEstimate, LoadSettings } from '../contract/inference';
import { LOCAL_API_GPU_PARALLEL } from '../contract/localapi';
import { describeKind } from '../base/untrusted-file';
import type { RunnableModel } from '../library/library';

/** A Library item the host can load: a GGUF that is there, a regular file, and not known to be damaged. */
export async function checkRunnableGguf(model: RunnableModel): Promise<RunnableModel> {
  if (model.kind !== 'gguf') throw new ApiError('NOT_AVAILABLE', `${model.name} is a safetensors checkpoint; Hubcap's chat runs GGUF models (llama.cpp).`);
  const st = model.missing ? null : await fs.promises.stat(model.path).catch(() => null);
  if (!st) throw new ApiError('INVALID_PATH', `${model.path} is missing: it was moved, deleted or its drive is not connected.`);
  // llama.cpp would open a FIFO or a device put in its place and wait on it forever (in the host, but the load would never end).
  if (!st.isFile()) throw new ApiError('INVALID_PATH', `${model.path} is not a regular file (${describeKind(st)}), so it is not loaded.`);
  if (model.problem)
    throw new ApiError(
      'LOAD_FAILED',
      `${model.name} cannot be loaded: ${model.problem} The file may be incomplete or damaged; delete it and download it again.`,
    );
  return model;
}

type FitFile = (file: string, settings: LoadSettings, sequences: number) => Promise<FitEstimate>;

export class LocalFits {
  readonly #fits = new Map<string, { at: number; fit: FitEstimate }>();
  readonly #fitFile: FitFile;

  constructor(fitFile: FitFile) {
    this.#fitFile = fitFile;
  }

  async fit(file: string, settings: LoadSettings, sequences: number): Promise<FitEstimate> {
    const stat = fs.statSync(file);
    const cacheKey = `${file}|${stat.size}|${stat.mtimeMs}|${JSON.stringify(settings)}|${sequences}`;
    const known = this.#fits.get(cacheKey);
    if (known && Date.now() - known.at < 60_000) return known.fit;
    const fit = await this.#fitFile(file, settings, sequences);
    if (this.#fits.size > 50) this.#fits.clear();
    this.#fits.set(cacheKey, { at: Date.now(), fit });
    return fit;
  }

  /**
   * The fit with as many sequences as wanted and as fit: each costs a whole context of KV cache,
   * so a model that cannot afford them gets fewer (halving down to one) rather than being refused.
   * 'auto' means several only on a GPU (on the CPU batching sequences slowed each client, for no gain).
   */
  async withSequences(
    file: string,
    settings: LoadSettings,
    wanted: readonly ('auto' | number)[],
    onGpu: () => Promise<boolean>,
  ): Promise<{ fit: FitEstimate; sequences: number }> {
    const gpu = wanted.includes('auto') ? await onGpu() : false;
    let sequences = Math.max(1, ...wanted.map((p) => (p === 'auto' ? (gpu ? LOCAL_API_GPU_PARALLEL : 1) : p)));
    for (;;) {
      const fit = await this.fit(file, settings, sequences);
      if (fit.verdict !== 'too-big' || sequences === 1) return { fit, sequences };
      sequences = Math.max(1, Math.floor(sequences / 2));
    }
  }
}
