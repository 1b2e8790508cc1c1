/**
 * Local inference as the core sees it: which model is loaded, the chats, and the host process's
 * life. The host is started on first use, stopped when idle, and its death is reported (the UI
 * shows it, the next load starts a fresh one) instead of taking anything else down.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { EventName, EventPayload } from '../contract/api';
import type { ChatMessage, Conversation, ConversationSummary, Sampling } from '../contract/chat';
import { ApiError, type ErrorCode } from '../contract/errors';
import type { FitEstimate, HardwareView, InferenceStatus, LoadSettings } from '../contract/inference';
import { LOCAL_API_GPU_PARALLEL } from '../contract/localapi';
import { describeFit } from '../contract/present/fit';
import type { RunnableModel } from '../library/library';
import { ConversationStore, titleFrom } from './conversations';
import { InferenceHost, type HostLauncher, type HostRpc } from './host-client';
import { describeKind } from '../app/untrusted-file';
import {
  isHostFailure,
  type HistoryItem,
  type HostCompleteRequest,
  type HostEmbedResult,
  type HostFailure,
  type HostGenerateRequest,
  type HostGenerateResult,
} from './host-protocol';

export interface InferenceServiceOptions {
  launcher: HostLauncher;
  dataDir: string;
  emit: <K extends EventName>(name: K, payload: EventPayload<K>) => void;
  /** A Library item by key (the Library is the only way to name a model to load). */
  resolve: (key: string) => Promise<RunnableModel>;
  loadDefaults: () => LoadSettings;
  /** Unload a model nobody used for this long; 0 keeps it loaded. */
  unloadAfterMs: () => number;
  /** Stop the host process this long after nothing is loaded. */
  hostIdleMs?: number;
  /** Told after a model loads, for "last used". */
  onUsed?: (model: RunnableModel) => void;
}

function hostError(f: HostFailure): ApiError {
  return new ApiError(f.failure as ErrorCode, f.message);
}

export class InferenceService {
  readonly conversations: ConversationStore;
  #o: InferenceServiceOptions;
  #host: InferenceHost;
  #status: InferenceStatus = { host: 'stopped', model: null, loading: null, generating: null, problem: null };
  #hardware: HardwareView | null = null;
  #generation: { conversationId: string; requestId: string; message: ChatMessage; conversation: Conversation } | null = null;
  /** Answers for the local API (no chat), by request id: their text goes to `onDelta`. */
  readonly #apiGenerations = new Map<string, (delta: string) => void>();
  /** Answers at once the local API asked for while it runs (see reserveParallel); 1 when nobody asked. */
  readonly #parallelWanted: ('auto' | number)[] = [];
  #unloadTimer: NodeJS.Timeout | null = null;
  #hostTimer: NodeJS.Timeout | null = null;

  constructor(opts: InferenceServiceOptions) {
    this.#o = opts;
    this.conversations = new ConversationStore(opts.dataDir);
    this.#host = new InferenceHost({
      launcher: opts.launcher,
      parent: {
        loadProgress: (progress) => this.#onLoadProgress(progress),
        token: (requestId, delta, tokens) => this.#onToken(requestId, delta, tokens),
      },
      onCrash: (message) => this.#onCrash(message),
    });
  }

  /** The host process id while it runs (for diagnostics and the crash tests). */
  get hostPid(): number | undefined {
    return this.#host.pid;
  }

  status(): InferenceStatus {
    return { ...this.#status, host: this.#host.running ? 'ready' : 'stopped' };
  }

  #changed(patch: Partial<InferenceStatus>): void {
    this.#status = { ...this.#status, ...patch };
    this.#o.emit('inference.changed', this.status());
  }

  #rpc() {
    const starting = !this.#host.running;
    const rpc = this.#host.rpc();
    if (starting) this.#changed({});
    this.#touch();
    return rpc;
  }

  /** Calls in flight: the idle clocks never stop a host that is still answering one. */
  #busy = 0;
  async #call<T>(fn: (rpc: HostRpc) => Promise<T>): Promise<T> {
    this.#busy++;
    try {
      return await fn(this.#rpc());
    } finally {
      this.#busy--;
      this.#touch();
    }
  }

  async hardware(refresh = false): Promise<HardwareView> {
    if (!this.#hardware || refresh) this.#hardware = await this.#call((rpc) => rpc.hardware());
    else this.#touch();
    return this.#hardware;
  }

  async #gguf(key: string): Promise<RunnableModel> {
    const model = await this.#o.resolve(key);
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

  #settings(overrides?: Partial<LoadSettings>): LoadSettings {
    return { ...this.#o.loadDefaults(), ...overrides };
  }

  /**
   * The local API, while it runs, asks for this many answers at once: models loaded from then on
   * get that many sequences (when they fit). Returns the release, for when the API stops.
   */
  reserveParallel(n: 'auto' | number): () => void {
    const entry = n === 'auto' ? n : Math.max(1, Math.floor(n));
    this.#parallelWanted.push(entry);
    return () => {
      const i = this.#parallelWanted.indexOf(entry);
      if (i !== -1) this.#parallelWanted.splice(i, 1);
    };
  }

  /**
   * The fit with as many sequences as wanted and as fit: each costs a whole context of KV cache,
   * so a model that cannot afford them gets fewer (halving down to one) rather than being refused.
   */
  async #fitWithSequences(file: string, settings: LoadSettings): Promise<{ fit: FitEstimate; sequences: number }> {
    // 'auto': several only on a GPU (on the CPU batching sequences slowed each client, for no gain).
    const onGpu = this.#parallelWanted.includes('auto') ? (await this.hardware()).backend !== 'cpu' : false;
    let sequences = Math.max(1, ...this.#parallelWanted.map((p) => (p === 'auto' ? (onGpu ? LOCAL_API_GPU_PARALLEL : 1) : p)));
    for (;;) {
      const fit = await this.#localFit(file, settings, sequences);
      if (fit.verdict !== 'too-big' || sequences === 1) return { fit, sequences };
      sequences = Math.max(1, Math.floor(sequences / 2));
    }
  }

  async fit(key: string, overrides?: Partial<LoadSettings>): Promise<FitEstimate> {
    const model = await this.#gguf(key);
    return (await this.#fitWithSequences(model.path, this.#settings(overrides))).fit;
  }

  /**
   * Fits of local files, kept a minute per file version and settings: reading a big header and
   * scoring configurations costs a large part of a second, and the Chat page asks before every load.
   */
  readonly #fits = new Map<string, { at: number; fit: FitEstimate }>();
  async #localFit(file: string, settings: LoadSettings, sequences: number): Promise<FitEstimate> {
    const stat = fs.statSync(file);
    const cacheKey = `${file}|${stat.size}|${stat.mtimeMs}|${JSON.stringify(settings)}|${sequences}`;
    const known = this.#fits.get(cacheKey);
    if (known && Date.now() - known.at < 60_000) return known.fit;
    const fit = await this.fitFile(file, settings, sequences);
    if (this.#fits.size > 50) this.#fits.clear();
    this.#fits.set(cacheKey, { at: Date.now(), fit });
    return fit;
  }

  /** Fit of a GGUF file at `path` (for the Hub: a local copy of its header). */
  async fitFile(path: string, overrides?: Partial<LoadSettings>, sequences = 1): Promise<FitEstimate> {
    const result = await this.#call((rpc) => rpc.fit(path, this.#settings(overrides), sequences));
    if (isHostFailure(result)) throw hostError(result);
    return result;
  }

  async load(key: string, overrides: Partial<LoadSettings> | undefined, force: boolean): Promise<InferenceStatus> {
    if (this.#status.loading) throw new ApiError('BUSY', `${this.#status.loading.name} is still loading; wait for it or unload it first.`);
    const model = await this.#gguf(key);
    const settings = this.#settings(overrides);
    if (this.#generation) await this.stop(this.#generation.conversationId);
    this.#abortApiGenerations();
    this.#changed({ loading: { key, name: model.name, progress: 0 }, problem: null });
    try {
      const { fit, sequences } = await this.#fitWithSequences(model.path, settings);
      if (fit.verdict === 'too-big' && !force) {
        throw new ApiError('WONT_FIT', `${model.name} will not fit. ${describeFit(fit)}`, { fit });
      }
      // The host unloads the current model before loading the next one.
      this.#changed({ model: null });
      const result = await this.#call((rpc) => rpc.load({ path: model.path, settings, sequences }));
      if (isHostFailure(result)) throw hostError(result);
      this.#o.onUsed?.(model);
      this.#changed({
        loading: null,
        model: { key, name: model.name, path: model.path, ...result, fitWarning: fit.verdict === 'too-big' ? describeFit(fit) : null },
      });
      this.#touch();
      return this.status();
    } catch (error) {
      const crashed = error instanceof ApiError && error.code === 'HOST_CRASHED';
      const message = error instanceof Error ? error.message : String(error);
      // A refused load (WONT_FIT) is an answer, not a problem to keep showing.
      const problem =
        error instanceof ApiError && error.code === 'WONT_FIT'
          ? null
          : { at: new Date().toISOString(), kind: crashed ? ('crash' as const) : ('load-failed' as const), message, key };
      this.#changed({ loading: null, problem });
      throw error;
    }
  }

  async unload(): Promise<InferenceStatus> {
    if (this.#generation) await this.stop(this.#generation.conversationId);
    this.#abortApiGenerations();
    if (this.#host.running) await this.#call((rpc) => rpc.unload());
    this.#changed({ model: null });
    this.#touch();
    return this.status();
  }

  /** Stops the host (app exit). */
  close(): void {
    this.#clearTimers();
    this.#host.stop();
  }

  // ---------- chats ----------

  list(search?: string): ConversationSummary[] {
    return this.conversations.list(search);
  }

  get(id: string): Conversation {
    const live = this.#generation;
    if (live?.conversationId === id) return structuredClone(live.conversation);
    return this.conversations.get(id);
  }

  create(systemPrompt?: string): Conversation {
    const c = this.conversations.create(systemPrompt);
    this.#o.emit('chat.changed', c);
    return c;
  }

  update(id: string, patch: { title?: string; systemPrompt?: string; sampling?: Sampling }): Conversation {
    if (this.#generation?.conversationId === id) throw new ApiError('BUSY', 'Wait for the answer to finish (or stop it) before changing this chat.');
    const c = this.conversations.get(id);
    if (patch.title !== undefined) c.title = patch.title;
    if (patch.systemPrompt !== undefined) c.systemPrompt = patch.systemPrompt;
    if (patch.sampling !== undefined) c.sampling = patch.sampling;
    c.updatedAt = new Date().toISOString();
    this.conversations.save(c);
    this.#o.emit('chat.changed', c);
    return c;
  }

  delete(id: string): void {
    if (this.#generation?.conversationId === id) void this.stop(id);
    this.conversations.delete(id);
    this.#o.emit('chat.deleted', { id });
  }

  send(id: string, text: string, editFrom?: string): Conversation {
    const c = this.#prepare(id);
    if (editFrom) {
      const at = c.messages.findIndex((m) => m.id === editFrom);
      if (at < 0 || c.messages[at]?.role !== 'user') throw new ApiError('NOT_FOUND', 'That message is no longer in this chat.');
      c.messages = c.messages.slice(0, at);
    }
    if (!c.messages.length && c.title === 'New chat') c.title = titleFrom(text);
    c.messages.push({ id: randomUUID(), role: 'user', text, createdAt: new Date().toISOString() });
    return this.#answer(c);
  }

  regenerate(id: string): Conversation {
    const c = this.#prepare(id);
    while (c.messages.at(-1)?.role === 'assistant') c.messages.pop();
    if (!c.messages.length) throw new ApiError('NOT_FOUND', 'There is no question to answer again.');
    return this.#answer(c);
  }

  async stop(id: string): Promise<{ stopped: boolean }> {
    const g = this.#generation;
    if (!g || g.conversationId !== id) return { stopped: false };
    if (this.#host.running) void this.#host.rpc().abort(g.requestId);
    return { stopped: true };
  }

  #abortApiGenerations(): void {
    if (!this.#host.running) return;
    for (const requestId of this.#apiGenerations.keys()) void this.#host.rpc().abort(requestId);
  }

  /** How many API answers for model `key` can run at once now: the loaded model's sequences less the app chat's. */
  apiCapacity(key: string): number {
    const m = this.#status.model;
    if (!m || m.key !== key) return 1;
    return Math.max(1, m.sequences - (this.#generation ? 1 : 0));
  }

  /**
   * One answer outside any chat, for the local API: loads the model first when another (or none)
   * is loaded (with the saved defaults and the fit check: a model that will not fit is refused with
   * its numbers), streams the text to `onDelta`, and stops at once when `signal` aborts. Answers
   * for the loaded model run at once up to its sequences; the caller (the API's gate) sees to it
   * that another model is asked for only when none is running.
   */
  async complete(
    req: (Omit<HostGenerateRequest, 'requestId'> | { raw: Omit<HostCompleteRequest, 'requestId'> }) & {
      key: string;
      onDelta: (delta: string) => void;
      signal: AbortSignal;
      /** Told once the model is loaded, before the answer starts (more answers may be let in now). */
      onReady?: () => void;
    },
  ): Promise<HostGenerateResult & { modelName: string }> {
    const other = this.#status.model?.key !== req.key;
    if (other && this.#generation) throw new ApiError('BUSY', 'A chat in the app is being answered with another model; try again when it is done.');
    if (other && this.#apiGenerations.size) throw new ApiError('BUSY', 'Other API requests are being answered with another model.');
    if (this.#status.loading && this.#status.loading.key !== req.key) throw new ApiError('BUSY', `${this.#status.loading.name} is loading.`);
    if (other) await this.load(req.key, undefined, false);
    const model = this.#status.model;
    if (!model) throw new ApiError('NO_MODEL', 'The model did not stay loaded.');
    req.signal.throwIfAborted();
    req.onReady?.();
    const requestId = randomUUID();
    this.#apiGenerations.set(requestId, req.onDelta);
    if (!this.#generation) this.#changed({ generating: 'api' });
    this.#clearUnloadTimer();
    const onAbort = () => void this.#host.rpc().abort(requestId);
    req.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const { key: _key, onDelta: _onDelta, signal: _signal, onReady: _onReady, ...ask } = req;
      const result = 'raw' in ask ? await this.#rpc().complete({ ...ask.raw, requestId }) : await this.#rpc().generate({ ...ask, requestId, origin: 'api' });
      if (isHostFailure(result)) throw hostError(result);
      return { ...result, modelName: model.name };
    } finally {
      req.signal.removeEventListener('abort', onAbort);
      this.#apiGenerations.delete(requestId);
      if (!this.#generation && !this.#apiGenerations.size) this.#changed({ generating: null });
      this.#touch();
    }
  }

  /** Embeddings with the given model (loaded first when it is not). */
  async embed(key: string, texts: string[]): Promise<HostEmbedResult & { modelName: string }> {
    if (this.#status.model?.key !== key) {
      if (this.#generation || this.#apiGenerations.size) throw new ApiError('BUSY', 'Another model is answering; try again in a moment.');
      await this.load(key, undefined, false);
    }
    const model = this.#status.model;
    if (!model) throw new ApiError('NO_MODEL', 'The model did not stay loaded.');
    const result = await this.#call((rpc) => rpc.embed(texts));
    if (isHostFailure(result)) throw hostError(result);
    return { ...result, modelName: model.name };
  }

  #prepare(id: string): Conversation {
    const sequences = this.#status.model?.sequences ?? 1;
    if (this.#apiGenerations.size >= sequences) {
      throw new ApiError(
        'BUSY',
        `The local API is answering ${this.#apiGenerations.size === 1 ? 'a request' : `${this.#apiGenerations.size} requests`} with this model; try again in a moment.`,
      );
    }
    if (this.#generation) {
      throw new ApiError(
        'BUSY',
        this.#generation.conversationId === id ? 'An answer is still being written; stop it first.' : 'Another chat is being answered; wait for it or stop it.',
      );
    }
    if (!this.#status.model) throw new ApiError('NO_MODEL', 'Load a model to chat: pick one above.');
    return this.conversations.get(id);
  }

  /** Starts the answer to the conversation's last user message; returns at once with a pending reply. */
  #answer(c: Conversation): Conversation {
    const model = this.#status.model;
    if (!model) throw new ApiError('NO_MODEL', 'Load a model to chat.');
    const prompt = c.messages.at(-1) as ChatMessage;
    const history: HistoryItem[] = c.messages
      .slice(0, -1)
      .filter((m) => !m.error || m.text)
      .map((m) => ({ role: m.role, text: m.text }));
    const message: ChatMessage = { id: randomUUID(), role: 'assistant', text: '', createdAt: new Date().toISOString(), model: model.name, pending: true };
    c.messages.push(message);
    c.modelKey = model.key;
    c.modelName = model.name;
    c.updatedAt = message.createdAt;
    this.conversations.save(c);
    const requestId = randomUUID();
    this.#generation = { conversationId: c.id, requestId, message, conversation: c };
    this.#changed({ generating: c.id });
    this.#clearUnloadTimer();
    const snapshot = structuredClone(c);
    void this.#rpc()
      .generate({ requestId, origin: 'chat', systemPrompt: c.systemPrompt, history, prompt: prompt.text, sampling: c.sampling })
      .then(
        (result) => {
          if (isHostFailure(result)) {
            message.error = result.message;
            return;
          }
          message.text = result.text;
          message.stats = result.stats;
        },
        (error: unknown) => {
          const crashed = error instanceof ApiError && error.code === 'HOST_CRASHED';
          message.error = crashed
            ? `${(error as Error).message} The answer so far is kept; load the model again to go on.`
            : `The answer failed: ${error instanceof Error ? error.message : String(error)}`;
        },
      )
      .finally(() => {
        delete message.pending;
        c.updatedAt = new Date().toISOString();
        this.#generation = null;
        try {
          this.conversations.save(c);
        } catch (error) {
          message.error = `The answer could not be saved: ${(error as Error).message}`;
        }
        this.#o.emit('chat.changed', structuredClone(c));
        this.#changed({ generating: this.#apiGenerations.size ? 'api' : null });
        this.#touch();
      });
    this.#o.emit('chat.changed', snapshot);
    return snapshot;
  }

  // ---------- host events ----------

  #lastProgressAt = 0;
  #onLoadProgress(progress: number): void {
    const loading = this.#status.loading;
    if (!loading) return;
    const now = Date.now();
    // At most ~10 updates a second, but always the last one.
    if (progress < 1 && now - this.#lastProgressAt < 100) return;
    this.#lastProgressAt = now;
    this.#changed({ loading: { ...loading, progress } });
  }

  #onToken(requestId: string, delta: string, tokens: number): void {
    const api = this.#apiGenerations.get(requestId);
    if (api) {
      api(delta);
      return;
    }
    const g = this.#generation;
    if (!g || g.requestId !== requestId) return;
    g.message.text += delta;
    this.#o.emit('chat.stream', { conversationId: g.conversationId, messageId: g.message.id, delta, tokens });
  }

  #onCrash(message: string): void {
    this.#clearTimers();
    const key = this.#status.model?.key ?? this.#status.loading?.key ?? null;
    this.#changed({ model: null, loading: null, problem: { at: new Date().toISOString(), kind: 'crash', message, key } });
  }

  // ---------- idle ----------

  #clearUnloadTimer(): void {
    if (this.#unloadTimer) clearTimeout(this.#unloadTimer);
    this.#unloadTimer = null;
  }

  #clearTimers(): void {
    this.#clearUnloadTimer();
    if (this.#hostTimer) clearTimeout(this.#hostTimer);
    this.#hostTimer = null;
  }

  /** Any use restarts the clocks: unload an unused model, then stop a host with nothing loaded. */
  #touch(): void {
    this.#clearTimers();
    if (!this.#host.running || this.#busy > 0 || this.#generation || this.#apiGenerations.size || this.#status.loading) return;
    if (this.#status.model) {
      const after = this.#o.unloadAfterMs();
      if (after > 0) {
        this.#unloadTimer = setTimeout(() => void this.unload().catch(() => undefined), after);
        this.#unloadTimer.unref();
      }
      return;
    }
    this.#hostTimer = setTimeout(() => {
      if (!this.#status.model && !this.#generation && !this.#status.loading) {
        this.#host.stop();
        this.#changed({});
      }
    }, this.#o.hostIdleMs ?? 60_000);
    this.#hostTimer.unref();
  }
}
