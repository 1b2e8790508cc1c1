/**
 * Local inference as the core sees it: which model is loaded, the answers running on it (the app
 * chat's one and the local API's), and the host process's life. The host is started on first use,
 * stopped when idle, and its death is reported (the UI shows it, the next load starts a fresh one)
 * instead of taking anything else down.
 */
import { randomUUID } from 'node:crypto';
import type { EventName, EventPayload } from '../contract/api';
import { ApiError, type ErrorCode } from '../contract/errors';
import type { FitEstimate, HardwareView, InferenceStatus, LoadSettings } from '../contract/inference';
import { describeFit } from '../contract/present/fit';
import type { RunnableModel } from '../library/library';
import { InferenceHost, type HostLauncher, type HostRpc } from './host-client';
import { checkRunnableGguf, LocalFits } from './fits';
import type { ChatAnswerOutcome, ChatAsk } from './chat-answer';
import {
  isHostFailure,
  type HostCompleteRequest,
  type HostEmbedResult,
  type HostFailure,
  type HostGenerateRequest,
  type HostGenerateResult,
} from './host-protocol';

export type { ChatAnswerOutcome, ChatAsk };

export interface InferenceServiceOptions {
  launcher: HostLauncher;
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
  #o: InferenceServiceOptions;
  #host: InferenceHost;
  #status: InferenceStatus = { host: 'stopped', model: null, loading: null, generating: null, problem: null };
  #hardware: HardwareView | null = null;
  /** The app chat's answer while it is written: tokens go to its conversation. */
  #generation: { conversationId: string; requestId: string; onToken: (delta: string, tokens: number) => void } | null = null;
  /** Answers for the local API (no chat), by request id: their text goes to `onDelta`. */
  readonly #apiGenerations = new Map<string, (delta: string) => void>();
  /** Answers at once the local API asked for while it runs (see reserveParallel); 1 when nobody asked. */
  readonly #parallelWanted: ('auto' | number)[] = [];
  #unloadTimer: NodeJS.Timeout | null = null;
  readonly #fits = new LocalFits((file, settings, sequences) => this.fitFile(file, settings, sequences));
  #hostTimer: NodeJS.Timeout | null = null;

  constructor(opts: InferenceServiceOptions) {
    this.#o = opts;
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
    return checkRunnableGguf(await this.#o.resolve(key));
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

  #fitWithSequences(file: string, settings: LoadSettings): Promise<{ fit: FitEstimate; sequences: number }> {
    return this.#fits.withSequences(file, settings, this.#parallelWanted, async () => (await this.hardware()).backend !== 'cpu');
  }

  async fit(key: string, overrides?: Partial<LoadSettings>): Promise<FitEstimate> {
    const model = await this.#gguf(key);
    return (await this.#fitWithSequences(model.path, this.#settings(overrides))).fit;
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
    if (this.#generation) this.stopChat(this.#generation.requestId);
    this.#abortApiGenerations();
    this.#changed({ loading: { key, name: model.name, path: model.path, progress: 0 }, problem: null });
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
    if (this.#generation) this.stopChat(this.#generation.requestId);
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

  // ---------- the app chat's answer ----------

  /** The loaded model, for a chat to name its answer by. */
  loadedModel(): { key: string; name: string } | null {
    const m = this.#status.model;
    return m ? { key: m.key, name: m.name } : null;
  }

  /** Refuses a chat answer while the local API holds every sequence of the loaded model. */
  assertChatRoom(): void {
    const sequences = this.#status.model?.sequences ?? 1;
    if (this.#apiGenerations.size >= sequences) {
      throw new ApiError(
        'BUSY',
        `The local API is answering ${this.#apiGenerations.size === 1 ? 'a request' : `${this.#apiGenerations.size} requests`} with this model; try again in a moment.`,
      );
    }
  }

  /**
   * Starts the app chat's answer on the loaded model (on the sequence that likely still holds the
   * chat's tokens); its text goes to `onToken`; `onSettled` is told how it ended before the status
   * says nothing is generating. Returns the request id, for stopChat.
   */
  answerChat(ask: ChatAsk, to: { onToken: (delta: string, tokens: number) => void; onSettled: (outcome: ChatAnswerOutcome) => void }): string {
    if (!this.#status.model) throw new ApiError('NO_MODEL', 'Load a model to chat.');
    if (this.#generation) throw new ApiError('BUSY', 'Another chat is being answered; wait for it or stop it.');
    const requestId = randomUUID();
    this.#generation = { conversationId: ask.conversationId, requestId, onToken: to.onToken };
    this.#changed({ generating: ask.conversationId });
    this.#clearUnloadTimer();
    const { conversationId: _id, ...request } = ask;
    let outcome: ChatAnswerOutcome = { message: 'The answer ended without a result.', crashed: false };
    void this.#rpc()
      .generate({ ...request, requestId, origin: 'chat' })
      .then(
        (result) => {
          outcome = isHostFailure(result) ? { failure: result } : { result };
        },
        (error: unknown) => {
          outcome = {
            message: error instanceof Error ? error.message : String(error),
            crashed: error instanceof ApiError && error.code === 'HOST_CRASHED',
          };
        },
      )
      .finally(() => {
        this.#generation = null;
        try {
          to.onSettled(outcome);
        } finally {
          this.#changed({ generating: this.#apiGenerations.size ? 'api' : null });
          this.#touch();
        }
      });
    return requestId;
  }

  stopChat(requestId: string): void {
    if (this.#generation?.requestId === requestId && this.#host.running) void this.#host.rpc().abort(requestId);
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
    if (g?.requestId === requestId) g.onToken(delta, tokens);
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
