/**
 * node-llama-cpp inside the inference host: one Llama, at most one model and one chat session.
 * Runs only in the host process, so a native crash here never takes the app down.
 */
import os from 'node:os';
import {
  getLlama,
  getLlamaGpuTypes,
  GgufInsights,
  InsufficientMemoryError,
  LlamaChatSession,
  LlamaCompletion,
  LlamaLogLevel,
  type LlamaEmbeddingContext,
  type LlamaGrammar,
  readGgufFileInfo,
  type ChatHistoryItem,
  type Llama,
  type LlamaContext,
  type LlamaModel,
} from 'node-llama-cpp';
import type { AnswerStats, Sampling, StopReason } from '../../contract/chat';
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
  ParentFunctions,
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

interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  session: LlamaChatSession;
  embedding?: Promise<LlamaEmbeddingContext>;
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

  options(s: Sampling, stop: string[] | undefined) {
    return {
      signal: this.abort.signal,
      stopOnAbortSignal: true,
      maxTokens: s.maxTokens,
      temperature: s.temperature,
      topP: s.topP,
      topK: s.topK,
      minP: s.minP,
      ...(s.seed === null ? {} : { seed: s.seed }),
      repeatPenalty: s.repeatPenalty === 1 ? (false as const) : { penalty: s.repeatPenalty },
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
  /** llama.cpp's recent warnings and errors: its exceptions are generic, the log says what was wrong. */
  #recentLog: string[] = [];

  constructor(parent: ParentFunctions, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
    this.#parent = parent;
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
      gpu: process.env.HUBCAP_INFERENCE_GPU === 'cpu' ? false : 'auto',
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
      cpuNotice =
        process.env.HUBCAP_INFERENCE_GPU === 'cpu'
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

  async fit(path: string, settings: LoadSettings): Promise<FitEstimate | HostFailure> {
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
    const v = r.resolvedValues;
    const vram = backend === 'cpu' ? null : await llama.getVramState();
    const ram = { total: os.totalmem(), free: os.freemem() };
    let verdict: FitVerdict;
    if (r.compatibilityScore === 0 || v.totalRamUsage > ram.total) verdict = 'too-big';
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

  async load({ path, settings }: HostLoadRequest): Promise<HostLoadResult | HostFailure> {
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
      });
      const session = new LlamaChatSession({ contextSequence: context.getSequence(), autoDisposeSequence: false });
      this.#loaded = { model, context, session };
      return {
        contextSize: context.contextSize,
        trainContextSize,
        gpuLayers: model.gpuLayers,
        totalLayers: model.fileInsights.totalLayers,
        backend: backendOf(llama),
        chatTemplate: session.chatWrapper.wrapperName,
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

  async generate(req: HostGenerateRequest): Promise<HostGenerateResult | HostFailure> {
    const loaded = this.#loaded;
    if (!loaded) return failure('NO_MODEL', 'No model is loaded.');
    const { session, context, model } = loaded;
    // Checked up front: node-llama-cpp would otherwise spend a long time trying to compress a
    // history that cannot fit, then fail with a message about compression nobody understands.
    const needed = model.tokenize(req.prompt).length + (req.systemPrompt.trim() ? model.tokenize(req.systemPrompt).length : 0) + 8;
    if (needed > context.contextSize) {
      return failure(
        'CONTEXT_OVERFLOW',
        `The system prompt and message need about ${needed} tokens and do not fit in the ${context.contextSize}-token context. Shorten them or load the model with a larger context.`,
      );
    }
    const history: ChatHistoryItem[] = [];
    if (req.systemPrompt.trim()) history.push({ type: 'system', text: req.systemPrompt });
    for (const h of req.history) history.push(h.role === 'user' ? { type: 'user', text: h.text } : { type: 'model', response: [h.text] });
    session.setChatHistory(history);

    let grammar: LlamaGrammar | undefined;
    if (req.format) {
      try {
        const llama = await this.llama();
        // The API checked the schema is a JSON object; node-llama-cpp refuses what it cannot express.
        // (Its generic signature infers from a literal schema; ours arrives at run time.)
        const fromSchema = llama.createGrammarForJsonSchema.bind(llama) as (schema: unknown) => Promise<LlamaGrammar>;
        grammar = req.format.type === 'json' ? await llama.getGrammarFor('json') : await fromSchema(req.format.schema);
      } catch (error) {
        return failure('VALIDATION_FAILED', `This JSON schema cannot be used to constrain the answer: ${errorText(error)}`);
      }
    }
    const answer = new Answer(req.requestId, this.#parent);
    this.#aborts.set(req.requestId, answer.abort);
    const meter = session.sequence.tokenMeter.getState();
    try {
      const meta = await session.promptWithMeta(req.prompt, { ...answer.options(req.sampling, req.stop), ...(grammar ? { grammar } : {}) });
      const metered = session.sequence.tokenMeter.diff(meter).usedOutputTokens;
      return { text: meta.responseText, stats: answer.stats(meta.stopReason, metered, session.sequence.contextTokens.length, context.contextSize) };
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
    }
  }

  /**
   * A raw completion on the chat's own sequence (the context has one): the chat sets its whole
   * history again before its next answer, so what this leaves in the sequence is re-evaluated.
   */
  async complete(req: HostCompleteRequest): Promise<HostGenerateResult | HostFailure> {
    const loaded = this.#loaded;
    if (!loaded) return failure('NO_MODEL', 'No model is loaded.');
    const { session, context, model } = loaded;
    const promptTokens = model.tokenize(req.prompt).length;
    if (promptTokens + 1 > context.contextSize) {
      return failure('CONTEXT_OVERFLOW', `The prompt needs ${promptTokens} tokens and does not fit in the ${context.contextSize}-token context.`);
    }
    const sequence = session.sequence;
    await sequence.clearHistory();
    const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
    const answer = new Answer(req.requestId, this.#parent);
    this.#aborts.set(req.requestId, answer.abort);
    const meter = sequence.tokenMeter.getState();
    try {
      const meta = await completion.generateCompletionWithMeta(req.prompt, answer.options(req.sampling, req.stop));
      const metered = sequence.tokenMeter.diff(meter).usedOutputTokens;
      const stats = answer.stats(meta.metadata.stopReason, metered, 0, context.contextSize);
      return { text: meta.response, stats: { ...stats, contextUsed: promptTokens + stats.tokens } };
    } finally {
      this.#aborts.delete(req.requestId);
      completion.dispose();
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
