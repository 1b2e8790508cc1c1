/**
 * The local OpenAI-compatible API: `GET /v1/models[/{id}]`, `POST /v1/chat/completions` and
 * `/v1/completions` (JSON or SSE exactly as OpenAI frames them), `POST /v1/embeddings`,
 * `GET /health`. Models are chosen only by id from the Library (no request can name a path) and
 * loaded on demand in the inference host with the saved defaults and the fit check. Requests for
 * the loaded model run at once up to its sequences (`parallel`, when the model can afford them);
 * the rest wait in a bounded FIFO queue, and a full queue is a 429 with Retry-After. A client that
 * disconnects stops its generation at once. Function calling (`tools`) is the model's own
 * (node-llama-cpp's chat templates); `tool_choice` "required" or a name forces a call by grammar. Every request needs `Authorization: Bearer <key>`; the Host header is
 * checked against DNS rebinding; CORS is off unless origins are allowed; bodies and fields are
 * bounded. The Hub token is never reachable from here: this server has no Hub client at all.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAllowedHost, parseTarget, secretsEqual } from '../app/http-guards';
import { ApiError } from '../contract/errors';
import type { LibraryItem } from '../contract/library';
import { LOCAL_API_DEFAULT_PARALLEL, type ApiRequestLog } from '../contract/localapi';

export type { ApiRequestLog };
import type { InferenceService } from '../inference/service';
import type { z } from 'zod';
import type { HostCompleteRequest, HostGenerateRequest } from '../inference/host-protocol';
import { base64Floats, ChatRequest, CompletionRequest, embeddingInputs, EmbeddingRequest, toHostRequest, toRawCompletion, Unsupported } from './chat-request';
import { apiModels, type ApiModel } from './model-ids';
import { FifoGate, QueueFull } from './queue';

export interface LocalApiOptions {
  inference: Pick<InferenceService, 'complete' | 'embed' | 'status' | 'apiCapacity' | 'reserveParallel'>;
  items: () => Promise<LibraryItem[]>;
  key: () => string;
  host: string;
  port: number;
  /** Answers at once for one model (its context's sequences, when it can afford them; default 4). */
  parallel?: 'auto' | number;
  /** Origins allowed to call from a browser (CORS); none by default. */
  corsOrigins?: () => string[];
  /** Requests waiting for the model beyond the one being answered (default 8). */
  maxQueue?: number;
  /** Told of every finished request, for the "recent requests" list. */
  onRequest?: (entry: ApiRequestLog) => void;
}

export interface LocalApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A request body past this is refused (413) before it is parsed. */
export const MAX_BODY_BYTES = 4 << 20;

type ErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(
  res: http.ServerResponse,
  status: number,
  type: ErrorType,
  message: string,
  opts: { param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
): void {
  sendJson(res, status, { error: { message, type, param: opts.param ?? null, code: opts.code ?? null } }, opts.headers);
}

/** The core's errors, in OpenAI's words and statuses. */
function apiErrorToHttp(e: ApiError): { status: number; type: ErrorType; code: string } {
  switch (e.code) {
    case 'VALIDATION_FAILED':
      return { status: 400, type: 'invalid_request_error', code: 'invalid_request' };
    case 'WONT_FIT':
      return { status: 400, type: 'invalid_request_error', code: 'model_wont_fit' };
    case 'CONTEXT_OVERFLOW':
      return { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' };
    case 'NOT_FOUND':
    case 'NO_MODEL':
      return { status: 404, type: 'not_found_error', code: 'model_not_found' };
    case 'BUSY':
      return { status: 429, type: 'rate_limit_error', code: 'busy' };
    case 'HOST_CRASHED':
      return { status: 500, type: 'server_error', code: 'model_crashed' };
    case 'LOAD_FAILED':
      return { status: 500, type: 'server_error', code: 'model_load_failed' };
    case 'NOT_AVAILABLE':
      return { status: 503, type: 'server_error', code: 'not_available' };
    default:
      return { status: 500, type: 'server_error', code: 'internal_error' };
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      resolve('too-large');
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let seen = 0;
    req.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen > MAX_BODY_BYTES) {
        resolve('too-large');
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function zodMessage(error: { issues: { path: PropertyKey[]; message: string }[] }): { message: string; param: string | null } {
  const first = error.issues[0];
  const param = first?.path.length
    ? first.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
        .join('.')
        .replace(/\.\[/g, '[')
    : null;
  return { message: first ? `${param ? `${param}: ` : ''}${first.message}` : 'Invalid request.', param };
}

const unix = () => Math.floor(Date.now() / 1000);

export async function startLocalApi(opts: LocalApiOptions): Promise<LocalApi> {
  const gate = new FifoGate(opts.maxQueue ?? 8, (key) => opts.inference.apiCapacity(key));
  let port = opts.port;

  const models = async (): Promise<ApiModel[]> => apiModels(await opts.items(), opts.inference.status().model?.key ?? null);
  const modelJson = (m: ApiModel) => ({ id: m.id, object: 'model', created: m.created, owned_by: m.ownedBy });

  const cors = (req: http.IncomingMessage): Record<string, string> | null => {
    const origin = req.headers.origin;
    if (origin === undefined) return {};
    const allowed = opts.corsOrigins?.() ?? [];
    if (!allowed.includes(origin) && !allowed.includes('*')) return null;
    return { 'access-control-allow-origin': origin, vary: 'Origin' };
  };

  /** The body parsed with `schema`; on any problem the answer is sent and null returned. */
  async function parseBody<S extends z.ZodType>(req: http.IncomingMessage, res: http.ServerResponse, schema: S): Promise<z.output<S> | null> {
    const body = await readBody(req);
    if (body === 'too-large') {
      sendError(res, 413, 'invalid_request_error', `The request body is larger than ${MAX_BODY_BYTES} bytes.`, { code: 'request_too_large' });
      return null;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      sendError(res, 400, 'invalid_request_error', 'The request body is not valid JSON.', { code: 'invalid_json' });
      return null;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const { message, param } = zodMessage(parsed.error);
      sendError(res, 400, 'invalid_request_error', message, { param, code: 'invalid_request' });
      return null;
    }
    return parsed.data;
  }

  /** The Library model a request names (or the loaded one); on a miss the 404 is sent and null returned. */
  async function pickModel(res: http.ServerResponse, requested: string | undefined): Promise<ApiModel | null> {
    const list = await models();
    if (list.length === 0) {
      sendError(
        res,
        404,
        'not_found_error',
        "There is no runnable GGUF model in Hubcap's Library: download one in the Gallery or add a file, then ask again.",
        {
          param: 'model',
          code: 'model_not_found',
        },
      );
      return null;
    }
    const loadedKey = opts.inference.status().model?.key ?? null;
    const model = requested ? list.find((m) => m.id === requested) : (list.find((m) => m.key === loadedKey) ?? null);
    if (model) return model;
    const some = list
      .slice(0, 5)
      .map((m) => m.id)
      .join(', ');
    sendError(
      res,
      404,
      'not_found_error',
      requested
        ? `The model "${requested.slice(0, 200)}" is not in Hubcap's Library. Available: ${some}${list.length > 5 ? ', …' : ''} (GET /v1/models lists them all).`
        : `No model is loaded: name one in "model" (for example "${list[0]?.id ?? ''}").`,
      { param: 'model', code: 'model_not_found' },
    );
    return null;
  }

  /** This request's turn at the model; null when the line is full (429 sent) or the client left. */
  async function takeTurn(res: http.ServerResponse, key: string): Promise<{ release: () => void; signal: AbortSignal } | null> {
    // A client gone while waiting or answering stops everything it started.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    try {
      return { release: await gate.enter(abort.signal, key), signal: abort.signal };
    } catch (error) {
      if (error instanceof QueueFull) {
        sendError(res, 429, 'rate_limit_error', `${gate.waiting} requests are already waiting for the model; try again shortly.`, {
          code: 'queue_full',
          headers: { 'retry-after': '2' },
        });
      }
      return null;
    }
  }

  function failed(res: http.ServerResponse, error: unknown, streaming: boolean, log: Partial<ApiRequestLog>): void {
    const e = error instanceof ApiError ? error : new ApiError('INTERNAL', (error as Error).message);
    const { status, type, code } = apiErrorToHttp(e);
    log.status = status;
    if (streaming) {
      // Mid-stream: an error frame (the openai SDKs raise it), then the end.
      res.write(`data: ${JSON.stringify({ error: { message: e.message, type, param: null, code } })}\n\n`);
      res.end();
    } else {
      sendError(res, status, type, e.message, { code, ...(status === 429 ? { headers: { 'retry-after': '2' } } : {}) });
    }
  }

  function usageOf(stats: { tokens: number; contextUsed: number }) {
    const completion = stats.tokens;
    const prompt = Math.max(0, stats.contextUsed - completion);
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }

  /**
   * One generation, chat or raw, framed as the endpoint's objects: JSON at the end, or SSE chunks
   * (`data: {…}` frames, a final chunk with finish_reason, the usage chunk when asked, `[DONE]`).
   */
  async function generate(
    res: http.ServerResponse,
    log: Partial<ApiRequestLog>,
    model: ApiModel,
    ask: { chat: Omit<HostGenerateRequest, 'requestId'> } | { raw: Omit<HostCompleteRequest, 'requestId'> },
    framing: { stream: boolean; includeUsage: boolean; kind: 'chat' | 'text' },
  ): Promise<void> {
    log.model = model.id;
    const turn = await takeTurn(res, model.key);
    if (!turn) return;
    const chat = framing.kind === 'chat';
    const id = chat ? `chatcmpl-${randomUUID()}` : `cmpl-${randomUUID()}`;
    const created = unix();
    const object = chat ? 'chat.completion.chunk' : 'text_completion';
    const frame = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object, created, model: model.id, system_fingerprint: null, choices, ...extra })}\n\n`;
    const piece = (text: string, finish: string | null) =>
      chat
        ? { index: 0, delta: finish ? {} : { content: text }, logprobs: null, finish_reason: finish }
        : { index: 0, text, logprobs: null, finish_reason: finish };
    let started = false;
    try {
      if (framing.stream) {
        // Headers go out at once, so a client sees the answer begin even while the model loads.
        started = true;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        if (chat) res.write(frame([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
      }
      const result = await opts.inference.complete({
        ...('chat' in ask ? ask.chat : { raw: ask.raw }),
        key: model.key,
        signal: turn.signal,
        onReady: () => gate.poke(),
        onDelta: (delta) => {
          if (framing.stream && delta) res.write(frame([piece(delta, null)]));
        },
      });
      const usage = usageOf(result.stats);
      const calls = (result.toolCalls ?? []).map((c) => ({
        id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
        type: 'function' as const,
        function: c,
      }));
      const finish = calls.length ? 'tool_calls' : result.stats.stopReason === 'maxTokens' ? 'length' : 'stop';
      Object.assign(log, { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, tokensPerSecond: result.stats.tokensPerSecond });
      if (turn.signal.aborted) return;
      if (framing.stream) {
        // Each call whole in one delta (the SDKs accumulate argument pieces; one piece is a valid stream).
        calls.forEach((c, index) => res.write(frame([{ index: 0, delta: { tool_calls: [{ index, ...c }] }, logprobs: null, finish_reason: null }])));
        res.write(frame([piece('', finish)]));
        if (framing.includeUsage) res.write(frame([], { usage }));
        res.end('data: [DONE]\n\n');
        return;
      }
      sendJson(res, 200, {
        id,
        object: chat ? 'chat.completion' : 'text_completion',
        created,
        model: model.id,
        system_fingerprint: null,
        choices: [
          chat
            ? {
                index: 0,
                message: {
                  role: 'assistant',
                  content: calls.length && !result.text ? null : result.text,
                  refusal: null,
                  ...(calls.length ? { tool_calls: calls } : {}),
                },
                logprobs: null,
                finish_reason: finish,
              }
            : { index: 0, text: result.text, logprobs: null, finish_reason: finish },
        ],
        usage,
      });
    } catch (error) {
      if (!turn.signal.aborted) failed(res, error, started, log);
    } finally {
      turn.release();
    }
  }

  /** What a request asks for, or null when it asks for something this server does not do (the 400 is sent). */
  function convert<T>(res: http.ServerResponse, fn: () => T): T | null {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      sendError(res, 400, 'invalid_request_error', error.message, { param: error.param, code: 'unsupported' });
      return null;
    }
  }

  /** /v1/chat/completions and /v1/completions: parsed, converted, its model found, then generated. */
  async function completions(req: http.IncomingMessage, res: http.ServerResponse, log: Partial<ApiRequestLog>, kind: 'chat' | 'text'): Promise<void> {
    let request: ChatRequest | CompletionRequest;
    let ask: { chat: Omit<HostGenerateRequest, 'requestId'> } | { raw: Omit<HostCompleteRequest, 'requestId'> } | null;
    if (kind === 'chat') {
      const r = await parseBody(req, res, ChatRequest);
      if (!r) return;
      request = r;
      ask = convert(res, () => ({ chat: toHostRequest(r) }));
    } else {
      const r = await parseBody(req, res, CompletionRequest);
      if (!r) return;
      request = r;
      ask = convert(res, () => ({ raw: toRawCompletion(r) }));
    }
    if (!ask) return;
    const model = await pickModel(res, request.model);
    if (!model) return;
    const stream = request.stream === true;
    await generate(res, log, model, ask, { stream, includeUsage: stream && request.stream_options?.include_usage === true, kind });
  }

  async function embeddings(req: http.IncomingMessage, res: http.ServerResponse, log: Partial<ApiRequestLog>): Promise<void> {
    const request = await parseBody(req, res, EmbeddingRequest);
    if (!request) return;
    const inputs = convert(res, () => embeddingInputs(request));
    if (!inputs) return;
    const model = await pickModel(res, request.model);
    if (!model) return;
    log.model = model.id;
    const turn = await takeTurn(res, model.key);
    if (!turn) return;
    try {
      const result = await opts.inference.embed(model.key, inputs);
      log.promptTokens = result.tokens;
      const base64 = request.encoding_format === 'base64';
      sendJson(res, 200, {
        object: 'list',
        data: result.vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? base64Floats(v) : v })),
        model: model.id,
        usage: { prompt_tokens: result.tokens, total_tokens: result.tokens },
      });
    } catch (error) {
      if (!turn.signal.aborted) failed(res, error, false, log);
    } finally {
      turn.release();
    }
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse, url: URL, log: Partial<ApiRequestLog>): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/health' && method === 'GET') {
      const status = opts.inference.status();
      if (status.loading) return sendJson(res, 503, { status: 'loading', model: null });
      const list = await models();
      if (status.model) return sendJson(res, 200, { status: 'ok', model: list.find((m) => m.key === status.model?.key)?.id ?? null });
      if (list.length === 0) return sendJson(res, 503, { status: 'no_model', message: "There is no runnable GGUF model in Hubcap's Library." });
      return sendJson(res, 200, { status: 'ok', model: null, loadsOnDemand: true });
    }
    if (!path.startsWith('/v1/')) return sendError(res, 404, 'not_found_error', `No such endpoint: ${method} ${path.slice(0, 200)}.`, { code: 'unknown_url' });
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (!m || !secretsEqual(m[1]?.trim(), opts.key())) {
      return sendError(
        res,
        401,
        'authentication_error',
        m ? 'Incorrect API key provided.' : 'Missing API key: send "Authorization: Bearer <key>" (Settings › Local API shows it).',
        {
          code: 'invalid_api_key',
        },
      );
    }
    if (path === '/v1/models' && method === 'GET') return sendJson(res, 200, { object: 'list', data: (await models()).map(modelJson) });
    const one = /^\/v1\/models\/(.+)$/.exec(path);
    if (one && method === 'GET') {
      let wanted: string;
      try {
        wanted = decodeURIComponent(one[1] as string);
      } catch {
        return sendError(res, 400, 'invalid_request_error', 'The model id is not valid URL encoding.', { param: 'model' });
      }
      const found = (await models()).find((x) => x.id === wanted);
      return found
        ? sendJson(res, 200, modelJson(found))
        : sendError(res, 404, 'not_found_error', `The model "${wanted.slice(0, 200)}" does not exist.`, { param: 'model', code: 'model_not_found' });
    }
    if (path === '/v1/chat/completions' && method === 'POST') return completions(req, res, log, 'chat');
    if (path === '/v1/completions' && method === 'POST') return completions(req, res, log, 'text');
    if (path === '/v1/embeddings' && method === 'POST') return embeddings(req, res, log);
    return sendError(res, 404, 'not_found_error', `No such endpoint: ${method} ${path.slice(0, 200)}.`, { code: 'unknown_url' });
  }

  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    const log: Partial<ApiRequestLog> = { at: new Date().toISOString(), method: req.method ?? 'GET', model: null };
    res.on('finish', () => {
      if (!log.path?.startsWith('/v1/')) return;
      opts.onRequest?.({
        at: log.at as string,
        method: log.method as string,
        path: log.path,
        model: log.model ?? null,
        status: log.status ?? res.statusCode,
        promptTokens: log.promptTokens ?? 0,
        completionTokens: log.completionTokens ?? 0,
        tokensPerSecond: log.tokensPerSecond ?? 0,
        ms: Math.round(performance.now() - t0),
      });
    });
    if (!isAllowedHost(req.headers.host, opts.host, port)) {
      return sendError(res, 403, 'invalid_request_error', 'This Host header is not allowed (DNS rebinding protection).', { code: 'bad_host' });
    }
    const url = parseTarget(req.url);
    if (!url) return sendError(res, 400, 'invalid_request_error', 'Bad request target.');
    log.path = url.pathname;
    const corsHeaders = cors(req);
    if (corsHeaders === null)
      return sendError(res, 403, 'invalid_request_error', 'This origin is not allowed to call the local API (Settings › Local API › allowed origins).', {
        code: 'cors',
      });
    for (const [k, v] of Object.entries(corsHeaders)) res.setHeader(k, v);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': '600',
      });
      return res.end();
    }
    route(req, res, url, log).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'server_error', `Internal error: ${(error as Error).message}`);
      else res.destroy();
    });
  });
  server.requestTimeout = 0; // answers can take minutes; idle sockets are still timed out by headersTimeout
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const releaseParallel = opts.inference.reserveParallel(opts.parallel ?? LOCAL_API_DEFAULT_PARALLEL);
  const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shown}:${port}/v1`,
    port,
    close: async () => {
      releaseParallel();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
