/**
 * The quantization to recommend on this machine: the largest that runs wholly on the GPU with room
 * for its context (node-llama-cpp's estimate includes a context of up to 8,192 tokens); without a
 * GPU fit, the largest that fits at all (partly offloaded or in RAM). Never one marked too big.
 */
import type { FitEstimate } from '../../../src-main/contract/inference';

export interface Candidate {
  label: string;
  size: number;
  fit: FitEstimate | undefined;
}

export function recommendQuant(candidates: readonly Candidate[]): string | null {
  const fitting = candidates.filter((c) => c.fit && c.fit.verdict !== 'too-big');
  const onGpu = fitting.filter((c) => c.fit?.verdict === 'gpu');
  const pool = onGpu.length ? onGpu : fitting;
  let best: Candidate | null = null;
  for (const c of pool) if (!best || c.size > best.size) best = c;
  return best?.label ?? null;
}
