/** A fit verdict in words, for the UI and messages: shared because the renderer may import only the contract. */
import type { FitEstimate, FitVerdict } from '../inference';
import { formatBytes } from './format';

/** One sentence with the numbers behind a fit verdict. */
export function describeFit(fit: FitEstimate): string {
  const ram = `${formatBytes(fit.ramNeeded)} of RAM (${formatBytes(fit.ram.total)} in this machine)`;
  const vram = fit.vram ? `${formatBytes(fit.vramNeeded)} of VRAM (${formatBytes(fit.vram.free)} free of ${formatBytes(fit.vram.total)})` : null;
  switch (fit.verdict) {
    case 'gpu':
      return `Fits on the GPU: all ${fit.totalLayers} layers, ${vram}, with a ${fit.contextSize}-token context.`;
    case 'partial':
      return `Partly on the GPU: ${fit.gpuLayers} of ${fit.totalLayers} layers, ${vram}; the rest on the CPU, ${ram}.`;
    case 'cpu':
      return `Runs on the CPU: needs about ${ram} with a ${fit.contextSize}-token context.`;
    case 'too-big':
      return `Too big for this machine: needs about ${ram}${vram ? ` and ${vram}` : ''} with a ${fit.contextSize}-token context.`;
  }
}

export const FIT_LABEL: Record<FitVerdict, string> = { gpu: 'Fits on GPU', partial: 'Partly on GPU', cpu: 'CPU only', 'too-big': 'Too big' };
