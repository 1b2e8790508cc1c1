/**
 * node-llama-cpp inside the inference host: one Llama, at most one model, its context with one or
 * more sequences (answers that run at once, batched together by node-llama-cpp), each with its own
 * LlamaChat. Runs only in the host process, so a native crash here never takes the app down.
 */
import os from 'node:os';
import {
  getLlama,
  getLlamaGpuTypes,
  GgufInsights,
  InsufficientMemoryError,
  LlamaChat,
  LlamaCompletion,
  LlamaLogLevel,
  type LlamaEmbeddingContext,
  type LlamaGrammar,
  readGgufFileInfo,
  type ChatHistoryItem,
  type ChatModelFunctions,
  type ChatModelResponse,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
} from 'node-llama-cpp';
import type { AnswerStats, StopReason } from '../../contract/chat';
import type { FitEstimate, FitVerdict, GpuBackend, HardwareView, LoadSettings } from '../../contract/inference';
import { defaultThreads, type ThreadChoice } from '../threads';
import type {
  HostCompleteRequest,
  HostEmbedResult,
  HostFailure,
  HostFunctions,
  HostGenerateRequest,
  HostGenerateResult,
  HostLoadRequest,
  HostLoadResult,
  HostSampling,
  ParentFunctions,
  ToolCall,
  ToolSpec,
} from '../host-protocol';

/** An "auto" context is capped: a 128k-token window costs gigabytes of KV cache nobody asked for. */
export const AUTO_CONTEXT_MAX = 8192;

const GPU_NAMES: Record<string, string> = { cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal' };

function backendOf(llama: Llama): GpuBackend {
  return llama.gpu === false ? 'cpu' : llama.gpu;
}

function failure(kind: HostFailure['failure'], message: string): HostFailure {
  return { failure: kind, message };
}

/**
 * An error's message in words: llama.cpp and node-llama-cpp quote raw file bytes ("Invalid GGUF
 * magic \"\u0000\u0000…\""), which show as boxes; control and replacement characters are dropped.
 */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g, '')
      .replace(/""/g, '(unreadable bytes)')
      .slice(0, 500)
  );
}

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

/** A function call's arguments as the model wrote them, parsed back for the chat template (raw text when they are not JSON). */
function parsedArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * What the model is told of the functions when it must call one: the chat templates' own function
 * syntax cannot be forced (node-llama-cpp grammars and functions exclude each other), so a forced
 * call is a JSON object under a grammar, as llama.cpp's server does for its generic tool format.
 */
function forcedToolsPrompt(tools: ToolSpec[]): string {
  const lines = tools.map((t) => `- ${t.name}${t.description ? `: ${t.description}` : ''}\n  parameters: ${JSON.stringify(t.parameters ?? {})}`);
  return `You must call one of these functions. Answer only with a JSON object {"name": <function name>, "arguments": <its parameters>}.\n${lines.join('\n')}`;
}

/** OpenAI's parameter schema with what GBNF has no use for taken out ($schema, titles), and "no parameters" made explicit. */
function paramsSchema(t: ToolSpec): Record<string, unknown> {
  const { $schema: _s, title: _t, ...rest } = t.parameters ?? {};
  if (rest.type === 'object' && rest.properties === undefined) return { ...rest, properties: {} };
  return Object.keys(rest).length ? rest : { type: 'object', properties: {} };
}

/**
 * One answer's sampling options and its clock, shared by chat answers and raw completions: the
 * options node-llama-cpp takes, token counting for the stream, and the stats at the end.
 */
class Answer {
  readonly abort = new AbortController();
  readonly #started = performance.now();
  #firstAt: number | null = null;
  tokens = 0;

  constructor(
    readonly requestId: string,
    readonly parent: ParentFunctions,
  ) {}

  options(s: HostSampling, stop: string[] | undefined) {
    return {
      signal: this.abort.signal,
      stopOnAbortSignal: true,
      maxTokens: s.maxTokens,
      temperature: s.temperature,
      topP: s.topP,
      topK: s.topK,
      minP: s.minP,
      ...(s.seed === null ? {} : { seed: s.seed }),
      repeatPenalty:
        s.repeatPenalty === 1 && !s.frequencyPenalty && !s.presencePenalty
          ? (false as const)
          : {
              penalty: s.repeatPenalty,
              ...(s.frequencyPenalty ? { frequencyPenalty: s.frequencyPenalty } : {}),
              ...(s.presencePenalty ? { presencePenalty: s.presencePenalty } : {}),
            },
      ...(stop?.length ? { customStopTriggers: stop } : {}),
      onToken: (t: readonly unknown[]) => {
        this.#firstAt ??= performance.now();
        this.tokens += t.length;
      },
      onTextChunk: (text: string) => this.parent.token(this.requestId, text, this.tokens),
    };
  }

  stats(reason: string, metered: number, contextUsed: number, contextSize: number): AnswerStats {
    const ended = performance.now();
    // onToken misses tokens node-llama-cpp holds back (an unfinished UTF-8 sequence, a possible
    // stop string) and then drops at the end; the sequence's meter counts every generated token.
    const tokens = Math.max(this.tokens, metered);
    const decodeMs = this.#firstAt === null ? 0 : ended - this.#firstAt;
    const stopReason: StopReason = reason === 'abort' ? 'stopped' : reason === 'maxTokens' ? 'maxTokens' : 'end';
    return {
      tokens,
      tokensPerSecond: tokens > 1 && decodeMs > 0 ? ((tokens - 1) * 1000) / decodeMs : 0,
      timeToFirstTokenMs: this.#firstAt === null ? 0 : this.#firstAt - this.#started,
      totalMs: ended - this.#started,
      stopReason,
      contextUsed,
      contextSize,
    };
  }
}

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
    const llama = await this.llama();
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
    const tools = req.tools?.length ? req.tools : undefined;
    const forced =
      tools && req.toolChoice && req.toolChoice !== 'auto'
        ? typeof req.toolChoice === 'object'
          ? tools.filter((t) => t.name === (req.toolChoice as { name: string }).name)
          : tools
        : null;
    if (forced && forced.length === 0) return failure('VALIDATION_FAILED', 'tool_choice names a function that is not in tools.');
    const systemPrompt = forced ? [req.systemPrompt, forcedToolsPrompt(forced)].filter((x) => x.trim()).join('\n\n') : req.systemPrompt;
    // Checked up front: node-llama-cpp would otherwise spend a long time trying to compress a
    // history that cannot fit, then fail with a message about compression nobody understands.
    const needed = model.tokenize(req.prompt ?? '').length + (systemPrompt.trim() ? model.tokenize(systemPrompt).length : 0) + 8;
    if (needed > context.contextSize) {
      return failure(
        'CONTEXT_OVERFLOW',
        `The system prompt and message need about ${needed} tokens and do not fit in the ${context.contextSize}-token context. Shorten them or load the model with a larger context.`,
      );
    }
    const history: ChatHistoryItem[] = [];
    if (systemPrompt.trim()) history.push({ type: 'system', text: systemPrompt });
    for (const h of req.history) {
      if (h.role === 'user') {
        history.push({ type: 'user', text: h.text });
        continue;
      }
      const response: ChatModelResponse['response'] = h.text ? [h.text] : [];
      for (const c of h.calls ?? []) response.push({ type: 'functionCall', name: c.name, params: parsedArguments(c.arguments), result: c.result });
      history.push({ type: 'model', response });
    }
    if (req.prompt !== null) history.push({ type: 'user', text: req.prompt });

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
