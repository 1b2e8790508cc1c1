/**
 * The local OpenAI-compatible API: `GET /v1/models[/{id}]`, `POST /v1/chat/completions` and
 * `/v1/completions` (JSON or SSE exactly as OpenAI frames them), `POST /v1/embeddings`,
 * `GET /health`. Models are chosen only by id from the Library (no request can name a path) and
 * loaded on demand in the inference host with the saved defaults and the fit check. Requests for
 * the loaded model run at once up to its sequences (`parallel`, when the model can afford them);
 * the rest wait in a bounded FIFO queue, and a full queue is a 429 with Retry-After. A client that
 * disconnects stops its generation at once. Function calling (`tools`) is the model's own
 * (node-llama-cpp's chat templates); `tool_choice` "required" or a name forces a call by grammar.
 *
 * This file is the door every request passes: the Host check against DNS rebinding, the target,
 * CORS, the per-client bound, then routing (`routes.ts`; the key is checked there against the key
 * of the moment), with the request's share of the body budget (`body.ts`) given back when its
 * answer is done. The Hub token is never reachable from here: this server has no Hub client at all.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAllowedHost, parseTarget } from '../base/http-guards';
import { LOCAL_API_DEFAULT_PARALLEL, type ApiRequestLog } from '../contract/localapi';
import { RETRY_AFTER_S, sendError } from './answers';
import { BodyBudget } from './body';
import type { ApiContext, Exchange, LocalApi, LocalApiOptions } from './context';
import { ClientLimiter, corsHeaders } from './guards';
import { apiModels } from './model-ids';
import { FifoGate } from './queue';
import { route } from './routes';

export type { ApiRequestLog, LocalApi, LocalApiOptions };
export { MAX_BODY_BYTES } from './body';

/** Reports the finished request to `onRequest` (only `/v1/` ones: the list is of client calls). */
function logWhenDone(opts: LocalApiOptions, res: http.ServerResponse, log: Partial<ApiRequestLog>): void {
  const t0 = performance.now();
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
}

/** CORS, its preflight and the per-client bound, before routing; false when the request was answered here. */
function admitted(opts: LocalApiOptions, clients: ClientLimiter, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const cors = corsHeaders(req, opts.corsOrigins?.() ?? []);
  if (cors === null) {
    sendError(res, 403, 'invalid_request_error', 'This origin is not allowed to call the local API (Settings › Local API › allowed origins).', {
      code: 'cors',
    });
    return false;
  }
  for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '600',
    });
    res.end();
    return false;
  }
  const leave = clients.enter(req.socket.remoteAddress ?? '');
  if (!leave) {
    sendError(res, 429, 'rate_limit_error', 'This client has too many requests in flight; wait for some to finish.', {
      code: 'too_many_requests',
      headers: { 'retry-after': RETRY_AFTER_S },
    });
    req.resume();
    return false;
  }
  res.on('close', leave);
  return true;
}

export async function startLocalApi(opts: LocalApiOptions): Promise<LocalApi> {
  const ctx: ApiContext = {
    opts,
    gate: new FifoGate(opts.maxQueue ?? 8, (key) => opts.inference.apiCapacity(key)),
    budget: new BodyBudget(opts.bodyBudget, opts.bodyDeadlineMs),
    models: async () => apiModels(await opts.items(), opts.inference.status().model?.key ?? null),
  };
  const clients = new ClientLimiter(opts.maxPerClient);
  let port = opts.port;

  const server = http.createServer((req, res) => {
    const ex: Exchange = { req, res, log: { at: new Date().toISOString(), method: req.method ?? 'GET', model: null }, hold: ctx.budget.hold() };
    logWhenDone(opts, res, ex.log);
    res.on('close', () => ex.hold.release());
    if (!isAllowedHost(req.headers.host, opts.host, port)) {
      return sendError(res, 403, 'invalid_request_error', 'This Host header is not allowed (DNS rebinding protection).', { code: 'bad_host' });
    }
    const url = parseTarget(req.url);
    if (!url) return sendError(res, 400, 'invalid_request_error', 'Bad request target.');
    ex.log.path = url.pathname;
    if (!admitted(opts, clients, req, res)) return;
    route(ctx, ex, url).catch((error: unknown) => {
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
