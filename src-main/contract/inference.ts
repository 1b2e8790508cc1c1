/** Local inference shapes shared by the core, the inference host and the renderer. */
import { formatBytes } from './format';

export type GpuBackend = 'cuda' | 'vulkan' | 'metal' | 'cpu';

export interface HardwareView {
  backend: GpuBackend;
  /** Set when models will run on the CPU, saying why, so nobody wonders why it is slow. */
  cpuNotice: string | null;
  gpuDevices: string[];
  /** null on the CPU backend. */
  vram: { total: number; free: number } | null;
  ram: { total: number; free: number };
  cpuCores: number;
  supportsGpuOffloading: boolean;
  supportsMmap: boolean;
}

/** Manual overrides for a load; `auto` lets node-llama-cpp fit what it can. */
export interface LoadSettings {
  gpuLayers: number | 'auto';
  contextSize: number | 'auto';
  batchSize: number | null;
  threads: number | null;
}

export type FitVerdict = 'gpu' | 'partial' | 'cpu' | 'too-big';

/** node-llama-cpp's GGUF insights against this machine, with the numbers behind the verdict. */
export interface FitEstimate {
  verdict: FitVerdict;
  backend: GpuBackend;
  gpuLayers: number;
  totalLayers: number;
  contextSize: number;
  /** Estimated use for model + context at that configuration. */
  vramNeeded: number;
  ramNeeded: number;
  vram: { total: number; free: number } | null;
  ram: { total: number; free: number };
  modelSize: number;
  parameters: number | null;
}

export interface LoadedModel {
  key: string;
  name: string;
  path: string;
  contextSize: number;
  trainContextSize: number | null;
  gpuLayers: number;
  totalLayers: number;
  backend: GpuBackend;
  /** The chat template node-llama-cpp resolved from the model ("ChatML", "Llama3_1", "Jinja"…). */
  chatTemplate: string;
  loadMs: number;
  /** Set when the model was loaded although the estimate said it would not fit. */
  fitWarning: string | null;
}

export type HostState = 'stopped' | 'starting' | 'ready';

export interface InferenceStatus {
  host: HostState;
  model: LoadedModel | null;
  loading: { key: string; name: string; progress: number } | null;
  /** The conversation being answered, if any. */
  generating: string | null;
  /** The last thing that went wrong (a host crash, a failed load), in words, until the next good load. */
  problem: { at: string; kind: 'crash' | 'load-failed'; message: string } | null;
}

export interface Sampling {
  temperature: number;
  topP: number;
  topK: number;
  minP: number;
  repeatPenalty: number;
  /** null: a fresh random seed per answer. */
  seed: number | null;
  maxTokens: number;
}

/** llama.cpp's own defaults, except a bounded answer length. */
export const DEFAULT_SAMPLING: Sampling = { temperature: 0.8, topP: 0.95, topK: 40, minP: 0.05, repeatPenalty: 1.1, seed: null, maxTokens: 1024 };

export type StopReason = 'end' | 'maxTokens' | 'stopped' | 'error';

export interface AnswerStats {
  tokens: number;
  /** Decode speed: tokens after the first over the time after the first. */
  tokensPerSecond: number;
  timeToFirstTokenMs: number;
  totalMs: number;
  stopReason: StopReason;
  contextUsed: number;
  contextSize: number;
}

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  createdAt: string;
  /** Assistant messages: the model that wrote it. */
  model?: string;
  stats?: AnswerStats;
  /** Assistant messages: set while streaming. */
  pending?: boolean;
  error?: string;
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  modelKey: string | null;
  modelName: string | null;
  systemPrompt: string;
  sampling: Sampling;
  messages: ChatMessage[];
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: string;
  modelName: string | null;
  messages: number;
  preview: string;
}

export interface ChatStreamEvent {
  conversationId: string;
  messageId: string;
  delta: string;
  tokens: number;
}

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
