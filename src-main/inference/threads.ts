/**
 * The default CPU thread count for a model, chosen from the machine and the model as it loads.
 *
 * node-llama-cpp's own default on the CPU is max(physical cores, 4): on a 2-core machine that is
 * four threads on two cores, and llama.cpp's threads spin on a barrier after every operation, so
 * oversubscription cost 25-400x here (docs/performance.md). Like Ollama and LM Studio we start from
 * the physical cores (llama.cpp's count of math cores, without efficiency cores), and leave out the
 * cores other programs keep busy (the 1-minute load average). Unlike them we also scale with the
 * work per token: a barrier costs the same for a 100 MB model as for a 10 GB one, and measured on
 * this workplace's 2-core VM a 230 MB model ran 2x faster on one thread than on two. One thread
 * per 256 MiB of weights is where the extra thread stopped losing.
 */
export const BYTES_PER_THREAD = 256 * 2 ** 20;

export interface ThreadInputs {
  /** Physical cores useful for math (node-llama-cpp's cpuMathCores). */
  mathCores: number;
  /** Logical CPUs (os.availableParallelism()). */
  logicalCores: number;
  /** os.loadavg()[0]: 0 on Windows, where it is not known. */
  loadAverage: number;
  /** The model's weights in bytes; null when not known yet (then only the machine decides). */
  modelBytes: number | null;
}

export interface ThreadChoice {
  threads: number;
  /** In words, for Settings and the loaded-model line. */
  reason: string;
}

export function defaultThreads({ mathCores, logicalCores, loadAverage, modelBytes }: ThreadInputs): ThreadChoice {
  const physical = Math.max(1, Math.floor(mathCores) || 1);
  const busy = Math.max(0, Math.round(Number.isFinite(loadAverage) ? loadAverage : 0));
  const idle = Math.max(1, Math.min(physical, Math.max(1, logicalCores) - busy));
  const byWork = modelBytes === null ? physical : Math.max(1, Math.ceil(modelBytes / BYTES_PER_THREAD));
  const threads = Math.min(idle, byWork);
  const parts = [`${physical} physical core${physical === 1 ? '' : 's'}`];
  if (idle < physical) parts.push(`${physical - idle} busy with other programs`);
  if (byWork < idle) parts.push(`a model this size gains nothing from more`);
  return { threads, reason: parts.join(', ') };
}
