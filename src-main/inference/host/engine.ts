/**
 * node-llama-cpp inside the inference host: one Llama, at most one model, its context with one or
 * more sequences (answers that run at once, batched together by node-llama-cpp), each with its own
 * LlamaChat. Runs only in the host process, so a native crash here never takes the app down.
 */
import os from 'node:os';
import {
  getLlama,
  getLlamaGpuTypes,
  InsufficientMemoryError,
  LlamaChat,
  LlamaCompletion,
  LlamaLogLevel,
  type LlamaEmbeddingContext,
  type LlamaGrammar,
  type ChatModelFunctions,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
} from 'node-llama-cpp';
import type { FitEstimate, HardwareView, LoadSettings } from '../../contract/inference';
import { defaultThreads, type ThreadChoice } from '../threads';
import { Answer, backendOf, errorText, failure } from './answer';
import { chatRequestPlan, paramsSchema, parsedArguments } from './chat-request';
import { AUTO_CONTEXT_MAX, estimateFit } from './fit';
import type {
  HostCompleteRequest,
  HostEmbedResult,
  HostFailure,
  HostFunctions,
  HostGenerateRequest,
  HostGenerateResult,
  HostLoadRequest,
  HostLoadResult,
  ParentFunctions,
  ToolCall,
  ToolSpec,
} from '../host-protocol';

const GPU_NAMES: Record<string, string> = { cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal' };

/** One sequence of the context and the chat on it; taken by one answer at a time. */
interface Slot {
  sequence: LlamaContextSequence;
  chat: LlamaChat;
  busy: boolean;
}

interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  slots: Slot[];
  embedding?: Promise<LlamaEmbeddingContext>;
}

/** The most sequences one context gets: past this, batching more answers stops paying on any machine we target. */
export const MAX_SEQUENCES = 8;

export class Engine implements HostFunctions {
  #llama: Promise<Llama> | null = null;
  #loaded: Loaded | null = null;
  #aborts = new Map<string, AbortController>();
  #parent: ParentFunctions;
  #log: (line: string) => void;
  /** HUBCAP_INFERENCE_GPU=cpu, read by the host's entry point: run on the CPU even when a GPU is there. */
  #cpuOnly: boolean;
  /** llama.cpp's recent warnings and errors: its exceptions are generic, the log says what was wrong. */
  #recentLog: string[] = [];

  constructor(parent: ParentFunctions, opts: { cpuOnly: boolean; log?: (line: string) => void }) {
    const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    this.#parent = parent;
    this.#cpuOnly = opts.cpuOnly;
    this.#log = (line) => {
      this.#recentLog.push(line);
      if (this.#recentLog.length > 20) this.#recentLog.shift();
      log(line);
    };
  }

  /** What llama.cpp said was wrong (its last "error loading model" line), for an error message. */
  #lastComplaint(): string | null {
    for (const line of [...this.#recentLog].reverse()) {
      const m = /error loading model:\s*(.+)$/.exec(line);
      if (m) return (m[1] as string).trim();
    }
    const line = this.#recentLog.filter((l) => l.trim() && !/failed to load model\s*$/i.test(l)).at(-1);
    return line ? line.trim() : null;
  }

  /** The prebuilt binaries only: never build or download anything at run time. */
  llama(): Promise<Llama> {
    this.#llama ??= getLlama({
      gpu: this.#cpuOnly ? false : 'auto',
      build: 'never',
      progressLogs: false,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.warn || level === LlamaLogLevel.fatal) this.#log(message.trimEnd());
      },
    });
    return this.#llama;
  }

  #defaultThreads(llama: Llama, modelBytes: number | null): ThreadChoice {
    return defaultThreads({ mathCores: llama.cpuMathCores, logicalCores: os.availableParallelism(), loadAverage: os.loadavg()[0] ?? 0, modelBytes });
  }

  async hardware(): Promise<HardwareView> {
    const llama = await this.llama();
    const backend = backendOf(llama);
    let cpuNotice: string | null = null;
    if (backend === 'cpu') {
      const candidates = (await getLlamaGpuTypes('allValid')).filter((t): t is 'cuda' | 'vulkan' | 'metal' => t !== false);
      cpuNotice = this.#cpuOnly
        ? 'GPU use is switched off (HUBCAP_INFERENCE_GPU=cpu); models run on the CPU.'
        : candidates.length
          ? `No usable GPU was found (looked for ${candidates.map((t) => GPU_NAMES[t]).join(' and ')}); models run on the CPU, which is much slower.`
          : 'This platform has no GPU backend in node-llama-cpp; models run on the CPU.';
    }
    const vram = backend === 'cpu' ? null : await llama.getVramState();
    return {
      backend,
      cpuNotice,
      gpuDevices: backend === 'cpu' ? [] : await llama.getGpuDeviceNames(),
      vram: vram ? { total: vram.total, free: vram.free } : null,
      ram: { total: os.totalmem(), free: os.freemem() },
      cpuCores: llama.cpuMathCores,
      logicalCores: os.availableParallelism(),
      defaultThreads: this.#defaultThreads(llama, null),
      supportsGpuOffloading: llama.supportsGpuOffloading,
      supportsMmap: llama.supportsMmap,
    };
  }

  async fit(path: string, settings: LoadSettings, sequences = 1): Promise<FitEstimate | HostFailure> {
    return estimateFit(await this.llama(), path, settings, sequences);
  }

  async load({ path, settings, sequences: wanted }: HostLoadRequest): Promise<HostLoadResult | HostFailure> {
    const sequences = Math.min(MAX_SEQUENCES, Math.max(1, Math.floor(wanted)));
    const llama = await this.llama();
    await this.unload();
    this.#recentLog = [];
    const started = performance.now();
    let model: LlamaModel | null = null;
    try {
      model = await llama.loadModel({
        modelPath: path,
        gpuLayers: settings.gpuLayers,
        onLoadProgress: (p) => this.#parent.loadProgress(p),
      });
      const trainContextSize = model.trainContextSize || null;
      const chosen = settings.threads ? null : this.#defaultThreads(llama, model.size);
      const context = await model.createContext({
        contextSize: settings.contextSize === 'auto' ? { max: Math.min(AUTO_CONTEXT_MAX, trainContextSize ?? AUTO_CONTEXT_MAX) } : settings.contextSize,
        ...(settings.batchSize ? { batchSize: settings.batchSize } : {}),
        threads: settings.threads ?? chosen?.threads ?? 1,
        sequences,
      });
      const slots: Slot[] = [];
      for (let i = 0; i < sequences; i++) {
        const sequence = context.getSequence();
        slots.push({ sequence, chat: new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false }), busy: false });
      }
      this.#loaded = { model, context, slots };
      return {
        contextSize: context.contextSize,
        trainContextSize,
        gpuLayers: model.gpuLayers,
        totalLayers: model.fileInsights.totalLayers,
        backend: backendOf(llama),
        chatTemplate: (slots[0] as Slot).chat.chatWrapper.wrapperName,
        sequences,
        threads: context.currentThreads,
        threadsReason: chosen?.reason ?? null,
        loadMs: performance.now() - started,
      };
    } catch (error) {
      await model?.dispose().catch(() => undefined);
      if (error instanceof InsufficientMemoryError) return failure('WONT_FIT', `Not enough memory to load this model with these settings: ${error.message}`);
      const detail = this.#lastComplaint();
      return failure('LOAD_FAILED', `llama.cpp could not load the model: ${detail ?? errorText(error)}.`);
    }
  }

  async unload(): Promise<void> {
    const loaded = this.#loaded;
    this.#loaded = null;
    if (!loaded) return;
    for (const a of this.#aborts.values()) a.abort();
    if (loaded.embedding) await (await loaded.embedding.catch(() => null))?.dispose().catch(() => undefined);
    await loaded.context.dispose().catch(() => undefined);
    await loaded.model.dispose().catch(() => undefined);
  }

  /**
   * A free sequence for one answer: the app's chat prefers the first (its conversation's tokens are
   * likely still there to reuse), API answers the last free one, so they disturb the chat least.
   */
  #take(loaded: Loaded, origin: 'chat' | 'api' | undefined): Slot | HostFailure {
    const free = loaded.slots.filter((s) => !s.busy);
    const slot = origin === 'chat' ? free[0] : free.at(-1);
    if (!slot) return failure('BUSY', `All ${loaded.slots.length} sequences of this model are answering; try again when one is done.`);
    slot.busy = true;
    return slot;
  }

  async #grammarFor(schema: unknown): Promise<LlamaGrammar> {
    const llama = await this.llama();
    // The API checked the schema is a JSON object; node-llama-cpp refuses what it cannot express.
    // (Its generic signature infers from a literal schema; ours arrives at run time.)
    const fromSchema = llama.createGrammarForJsonSchema.bind(llama) as (schema: unknown) => Promise<LlamaGrammar>;
    return fromSchema(schema);
  }

  /** Every tool's parameters compiled once up front, so a schema GBNF cannot express is a clear 400, not a failure mid-answer. */
  async #checkTools(tools: ToolSpec[]): Promise<HostFailure | null> {
    for (const [i, t] of tools.entries()) {
      try {
        await this.#grammarFor(paramsSchema(t));
      } catch (error) {
        return failure('VALIDATION_FAILED', `tools[${i}] ("${t.name}"): its parameters schema cannot be used: ${errorText(error)}`);
      }
    }
    return null;
  }

  async generate(req: HostGenerateRequest): Promise<HostGenerateResult | HostFailure> {
    const loaded = this.#loaded;
    if (!loaded) return failure('NO_MODEL', 'No model is loaded.');
    const { context, model } = loaded;
    const plan = chatRequestPlan(req);
    if ('failure' in plan) return plan;
    const { tools, forced, systemPrompt, history } = plan;
    // Checked up front: node-llama-cpp would otherwise spend a long time trying to compress a
    // history that cannot fit, then fail with a message about compression nobody understands.
    const needed = model.tokenize(req.prompt ?? '').length + (systemPrompt.trim() ? model.tokenize(systemPrompt).length : 0) + 8;
    if (needed > context.contextSize) {
      return failure(
        'CONTEXT_OVERFLOW',
        `The system prompt and message need about ${needed} tokens and do not fit in the ${context.contextSize}-token context. Shorten them or load the model with a larger context.`,
      );
    }

    let grammar: LlamaGrammar | undefined;
    try {
      const refused = tools ? await this.#checkTools(tools) : null;
      if (refused) return refused;
      if (forced) {
        const call = (t: ToolSpec) => ({ type: 'object', properties: { name: { const: t.name }, arguments: paramsSchema(t) } });
        grammar = await this.#grammarFor(forced.length === 1 ? call(forced[0] as ToolSpec) : { oneOf: forced.map(call) });
      } else if (req.format) {
        grammar = req.format.type === 'json' ? await (await this.llama()).getGrammarFor('json') : await this.#grammarFor(req.format.schema);
      }
    } catch (error) {
      return failure('VALIDATION_FAILED', `This JSON schema cannot be used to constrain the answer: ${errorText(error)}`);
    }
    const functions: ChatModelFunctions | undefined =
      tools && !forced
        ? Object.fromEntries(tools.map((t) => [t.name, { ...(t.description ? { description: t.description } : {}), params: paramsSchema(t) as never }]))
        : undefined;

    const slot = this.#take(loaded, req.origin);
    if ('failure' in slot) return slot;
    const answer = new Answer(req.requestId, this.#parent);
    this.#aborts.set(req.requestId, answer.abort);
    const meter = slot.sequence.tokenMeter.getState();
    try {
      const options = answer.options(req.sampling, req.stop);
      const result = functions
        ? await slot.chat.generateResponse(history, { ...options, functions, documentFunctionParams: true, maxParallelFunctionCalls: req.maxToolCalls ?? 8 })
        : await slot.chat.generateResponse(history, { ...options, ...(grammar ? { grammar } : {}) });
      const metered = slot.sequence.tokenMeter.diff(meter).usedOutputTokens;
      const stats = answer.stats(result.metadata.stopReason, metered, slot.sequence.contextTokens.length, context.contextSize);
      let toolCalls: ToolCall[] | undefined = result.functionCalls?.map((c) => ({ name: c.functionName, arguments: JSON.stringify(c.params ?? {}) }));
      let text = result.response;
      // A forced call cut short (max tokens, a stop) is not JSON yet: it stays text with finish_reason "length".
      const call = forced && stats.stopReason === 'end' ? (parsedArguments(text) as { name?: unknown; arguments?: unknown }) : null;
      if (call && typeof call === 'object' && typeof call.name === 'string') {
        toolCalls = [{ name: call.name, arguments: JSON.stringify(call.arguments ?? {}) }];
        text = '';
      }
      return { text, stats, ...(toolCalls?.length ? { toolCalls: toolCalls.slice(0, req.maxToolCalls ?? toolCalls.length) } : {}) };
    } catch (error) {
      const message = errorText(error);
      if (/compress chat history|context size|too long prompt/i.test(message)) {
        return failure(
          'CONTEXT_OVERFLOW',
          `The system prompt and message do not fit in the ${context.contextSize}-token context. Shorten them or load the model with a larger context.`,
        );
      }
      throw error;
    } finally {
      this.#aborts.delete(req.requestId);
      slot.busy = false;
    }
  }

  /**
   * A raw completion on a free sequence: a chat on it next evaluates its history again (the
   * sequence's tokens no longer match), so nothing of one leaks into the other.
   */
  async complete(req: HostCompleteRequest): Promise<HostGenerateResult | HostFailure> {
    const loaded = this.#loaded;
    if (!loaded) return failure('NO_MODEL', 'No model is loaded.');
    const { context, model } = loaded;
    const promptTokens = model.tokenize(req.prompt).length;
    if (promptTokens + 1 > context.contextSize) {
      return failure('CONTEXT_OVERFLOW', `The prompt needs ${promptTokens} tokens and does not fit in the ${context.contextSize}-token context.`);
    }
    const slot = this.#take(loaded, 'api');
    if ('failure' in slot) return slot;
    const sequence = slot.sequence;
    const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
    const answer = new Answer(req.requestId, this.#parent);
    this.#aborts.set(req.requestId, answer.abort);
    try {
      await sequence.clearHistory();
      const meter = sequence.tokenMeter.getState();
      const meta = await completion.generateCompletionWithMeta(req.prompt, answer.options(req.sampling, req.stop));
      const metered = sequence.tokenMeter.diff(meter).usedOutputTokens;
      const stats = answer.stats(meta.metadata.stopReason, metered, 0, context.contextSize);
      return { text: meta.response, stats: { ...stats, contextUsed: promptTokens + stats.tokens } };
    } finally {
      this.#aborts.delete(req.requestId);
      completion.dispose();
      slot.busy = false;
    }
  }

  async embed(texts: string[]): Promise<HostEmbedResult | HostFailure> {
    const loaded = this.#loaded;
    if (!loaded) return failure('NO_MODEL', 'No model is loaded.');
    try {
      loaded.embedding ??= loaded.model.createEmbeddingContext({ contextSize: Math.min(loaded.context.contextSize, 8192) });
      const ctx = await loaded.embedding;
      const vectors: number[][] = [];
      let tokens = 0;
      for (const text of texts) {
        const n = loaded.model.tokenize(text).length;
        if (n > loaded.context.contextSize)
          return failure('CONTEXT_OVERFLOW', `An input needs ${n} tokens; the model takes at most ${loaded.context.contextSize} at once.`);
        tokens += n;
        vectors.push([...(await ctx.getEmbeddingFor(text)).vector]);
      }
      return { vectors, tokens };
    } catch (error) {
      loaded.embedding = undefined;
      return failure('LOAD_FAILED', `This model cannot make embeddings: ${errorText(error)}`);
    }
  }

  async abort(requestId: string): Promise<void> {
    this.#aborts.get(requestId)?.abort();
  }
}
