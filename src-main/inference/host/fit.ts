/**
 * Whether a GGUF fits this machine with given load settings, from its header alone (node-llama-cpp's
 * GgufInsights): layers on the GPU, context, RAM and VRAM needed, and a verdict; extra sequences add
 * their own KV cache.
 */
import os from 'node:os';
import { GgufInsights, readGgufFileInfo, type Llama } from 'node-llama-cpp';
import type { FitEstimate, FitVerdict, LoadSettings } from '../../contract/inference';
import type { HostFailure } from '../host-protocol';
import { backendOf, errorText, failure } from './answer';

/** An "auto" context is capped: a 128k-token window costs gigabytes of KV cache nobody asked for. */
export const AUTO_CONTEXT_MAX = 8192;

export async function estimateFit(llama: Llama, path: string, settings: LoadSettings, sequences = 1): Promise<FitEstimate | HostFailure> {
  let insights: GgufInsights;
  let parameters = 0;
  try {
    // Filesystem only: given a Hub URL, node-llama-cpp would read HF_TOKEN or the token file itself.
    const info = await readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false });
    for (const t of info.fullTensorInfo ?? info.tensorInfo ?? []) parameters += t.dimensions.reduce<number>((a, d) => a * Number(d), 1);
    insights = await GgufInsights.from(info, llama);
  } catch (error) {
    return failure('LOAD_FAILED', `Could not read the model's header: ${errorText(error)}`);
  }
  const targetContext = settings.contextSize === 'auto' ? Math.min(AUTO_CONTEXT_MAX, insights.trainContextSize ?? AUTO_CONTEXT_MAX) : settings.contextSize;
  const r = await insights.configurationResolver.resolveAndScoreConfig({
    ...(settings.gpuLayers === 'auto' ? {} : { targetGpuLayers: Math.min(settings.gpuLayers, insights.totalLayers) }),
    targetContextSize: targetContext,
  });
  const backend = backendOf(llama);
  const v = { ...r.resolvedValues };
  // Each further sequence has its own KV cells of the whole context size (node-llama-cpp sizes
  // the cache as context × sequences); the resolver scores one, so the difference is added here.
  if (sequences > 1) {
    const at = (n: number) => insights.estimateContextResourceRequirementsV2({ contextSize: v.contextSize, modelGpuLayers: v.gpuLayers, sequences: n });
    const [one, many] = await Promise.all([at(1), at(sequences)]);
    v.totalRamUsage += Math.max(0, many.cpuRam - one.cpuRam);
    v.totalVramUsage += Math.max(0, many.gpuVram - one.gpuVram);
  }
  const vram = backend === 'cpu' ? null : await llama.getVramState();
  const ram = { total: os.totalmem(), free: os.freemem() };
  let verdict: FitVerdict;
  if (r.compatibilityScore === 0 || v.totalRamUsage > ram.total || (vram !== null && v.gpuLayers > 0 && v.totalVramUsage > vram.total)) verdict = 'too-big';
  else if (backend === 'cpu' || v.gpuLayers === 0) verdict = 'cpu';
  else if (v.gpuLayers >= insights.totalLayers) verdict = 'gpu';
  else verdict = 'partial';
  return {
    verdict,
    backend,
    gpuLayers: v.gpuLayers,
    totalLayers: insights.totalLayers,
    contextSize: v.contextSize,
    vramNeeded: v.totalVramUsage,
    ramNeeded: v.totalRamUsage,
    vram: vram ? { total: vram.total, free: vram.free } : null,
    ram,
    modelSize: insights.modelSize,
    parameters: parameters || null,
  };
}
