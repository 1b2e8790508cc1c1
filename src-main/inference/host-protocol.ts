/**
 * What the core and the inference host say to each other (birpc over the process's message port).
 * The host owns node-llama-cpp; the core owns everything else (paths, conversations, the UI).
 */
import type { AnswerStats, Sampling } from '../contract/chat';
import type { FitEstimate, HardwareView, LoadSettings, LoadedModel } from '../contract/inference';

/** The chat's sampling, plus OpenAI's penalties as llama.cpp applies them (logit − count × frequency − presence); absent: off. */
export type HostSampling = Sampling & { frequencyPenalty?: number; presencePenalty?: number };

export interface HostLoadRequest {
  path: string;
  settings: LoadSettings;
  /** Sequences in the context: answers that can run at once (each with the whole context size). */
  sequences: number;
}

/** What the host knows of a load; the core adds which Library item it was. */
export type HostLoadResult = Omit<LoadedModel, 'key' | 'name' | 'path' | 'fitWarning'>;

/** A function the model called in an earlier turn, and what the caller answered (OpenAI's tool round trip). */
export interface ToolCallRecord {
  name: string;
  /** The arguments as JSON text, as the model wrote them. */
  arguments: string;
  result: string;
}

export type HistoryItem = { role: 'user'; text: string } | { role: 'assistant'; text: string; calls?: ToolCallRecord[] };

/** A function the model may call (OpenAI's `tools`): its parameters are a JSON schema. */
export interface ToolSpec {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

/** `auto`: the model decides; `required`: it must call one; a name: it must call that one. */
export type ToolChoice = 'auto' | 'required' | { name: string };

export interface ToolCall {
  name: string;
  arguments: string;
}

export interface HostGenerateRequest {
  requestId: string;
  /** Who asks: the app's chat reuses one sequence's tokens; API answers take the others first. */
  origin?: 'chat' | 'api';
  systemPrompt: string;
  /** Earlier turns, oldest first; the prompt itself is not in it. */
  history: HistoryItem[];
  /** The user's message; null continues the last assistant turn (after its tool calls' results). */
  prompt: string | null;
  sampling: HostSampling;
  /** Texts that end the answer when generated (OpenAI's `stop`); not part of the answer. */
  stop?: string[];
  /** Constrain the answer: any JSON, or JSON matching a schema (node-llama-cpp's grammars). */
  format?: { type: 'json' } | { type: 'json-schema'; schema: unknown };
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  /** At most this many calls in one answer (OpenAI's `parallel_tool_calls: false` is 1). */
  maxToolCalls?: number;
}

/** A raw completion: the prompt continued as is, no chat template. */
export interface HostCompleteRequest {
  requestId: string;
  prompt: string;
  sampling: HostSampling;
  stop?: string[];
}

export interface HostEmbedResult {
  vectors: number[][];
  tokens: number;
}

export interface HostGenerateResult {
  text: string;
  stats: AnswerStats;
  /** The functions the model called; the answer stopped to let the caller run them. */
  toolCalls?: ToolCall[];
}

/** A failure the host reports as data (not a thrown Error), so its kind survives the process boundary. */
export interface HostFailure {
  failure: 'LOAD_FAILED' | 'CONTEXT_OVERFLOW' | 'NO_MODEL' | 'WONT_FIT' | 'VALIDATION_FAILED' | 'BUSY';
  message: string;
}

export interface HostFunctions {
  hardware(): Promise<HardwareView>;
  /** Fit of a GGUF (a whole file, or a header-only copy of a remote one) on this machine. */
  fit(path: string, settings: LoadSettings, sequences?: number): Promise<FitEstimate | HostFailure>;
  load(request: HostLoadRequest): Promise<HostLoadResult | HostFailure>;
  unload(): Promise<void>;
  generate(request: HostGenerateRequest): Promise<HostGenerateResult | HostFailure>;
  complete(request: HostCompleteRequest): Promise<HostGenerateResult | HostFailure>;
  /** Embeddings of the loaded model (an embedding context made on first use, kept until unload). */
  embed(texts: string[]): Promise<HostEmbedResult | HostFailure>;
  abort(requestId: string): Promise<void>;
}

/** Fire-and-forget notifications from the host. */
export interface ParentFunctions {
  loadProgress(progress: number): void;
  token(requestId: string, delta: string, tokens: number): void;
}

export const PARENT_EVENTS: (keyof ParentFunctions)[] = ['loadProgress', 'token'];

export function isHostFailure(value: unknown): value is HostFailure {
  return typeof value === 'object' && value !== null && 'failure' in value && typeof (value as HostFailure).message === 'string';
}
