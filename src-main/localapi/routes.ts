/**
 * The endpoints: `GET /health` (without the key only `ok`/`loading`, since a model id can name a
 * private repo; with the key the details), then, key required, `GET /v1/models[/{id}]`,
 * `POST /v1/chat/completions`, `/v1/completions` and `/v1/embeddings`. Models are chosen only from
 * the Library, by id or by a repo id that picks one (no request can name a path).
 */
import type http from 'node:http';
import { sendError, sendJson } from './answers';
import { parseBody } from './body';
import { ChatRequest, CompletionRequest, embeddingInputs, EmbeddingRequest, toHostRequest, toRawCompletion, Unsupported } from './chat-request';
import type { ApiContext, Exchange } from './context';
import { embed, generate, type Ask } from './generate';
import { checkKey } from './guards';
import { resolveModel, type ApiModel } from './model-ids';

const modelJson = (m: ApiModel) => ({ id: m.id, object: 'model', created: m.created, owned_by: m.ownedBy });

const notFound = (res: http.ServerResponse, method: string, path: string) =>
  sendError(res, 404, 'not_found_error', `No such endpoint: ${method} ${path.slice(0, 200)}.`, { code: 'unknown_url' });

/** Up or loading for anyone; which model, and whether there is one, only for the key's holder. */
async function health(ctx: ApiContext, ex: Exchange): Promise<void> {
  const status = ctx.opts.inference.status();
  if (status.loading) return sendJson(ex.res, 503, { status: 'loading' });
  if (checkKey(ex.req, ctx.opts.key()) !== 'ok') return sendJson(ex.res, 200, { status: 'ok' });
  const list = await ctx.models();
  if (status.model) return sendJson(ex.res, 200, { status: 'ok', model: list.find((m) => m.key === status.model?.key)?.id ?? null });
  if (list.length === 0) return sendJson(ex.res, 503, { status: 'no_model', message: "There is no runnable GGUF model in Hubcap's Library." });
  return sendJson(ex.res, 200, { status: 'ok', model: null, loadsOnDemand: true });
}

/** The Library model a request names (or the loaded one); on a miss the 404 (or 400 for an ambiguous repo) is sent and null returned. */
export async function pickModel(ctx: ApiContext, res: http.ServerResponse, requested: string | undefined): Promise<ApiModel | null> {
  const list = await ctx.models();
  const miss = (status: number, message: string, code = 'model_not_found') => {
    sendError(res, status, status === 404 ? 'not_found_error' : 'invalid_request_error', message, { param: 'model', code });
    return null;
  };
  if (list.length === 0) return miss(404, "There is no runnable GGUF model in Hubcap's Library: download one in the Gallery or add a file, then ask again.");
  if (!requested) {
    const loadedKey = ctx.opts.inference.status().model?.key ?? null;
    return list.find((m) => m.key === loadedKey) ?? miss(404, `No model is loaded: name one in "model" (for example "${list[0]?.id ?? ''}").`);
  }
  const pick = resolveModel(list, requested);
  if ('model' in pick) return pick.model;
  const shown = requested.slice(0, 200);
  if ('ambiguous' in pick) {
    const choices = pick.ambiguous.slice(0, 20).map((m) => m.id);
    return miss(
      400,
      `"${shown}" names ${pick.ambiguous.length} models in Hubcap's Library; name one: ${choices.join(', ')}${pick.ambiguous.length > 20 ? ', …' : ''}.`,
      'model_ambiguous',
    );
  }
  const some = list
    .slice(0, 5)
    .map((m) => m.id)
    .join(', ');
  return miss(404, `The model "${shown}" is not in Hubcap's Library. Available: ${some}${list.length > 5 ? ', …' : ''} (GET /v1/models lists them all).`);
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
async function completions(ctx: ApiContext, ex: Exchange, kind: 'chat' | 'text'): Promise<void> {
  let request: ChatRequest | CompletionRequest;
  let ask: Ask | null;
  if (kind === 'chat') {
    const r = await parseBody(ex.req, ex.res, ex.hold, ChatRequest);
    if (!r) return;
    request = r;
    ask = convert(ex.res, () => ({ chat: toHostRequest(r) }));
  } else {
    const r = await parseBody(ex.req, ex.res, ex.hold, CompletionRequest);
    if (!r) return;
    request = r;
    ask = convert(ex.res, () => ({ raw: toRawCompletion(r) }));
  }
  if (!ask) return;
  const model = await pickModel(ctx, ex.res, request.model);
  if (!model) return;
  const stream = request.stream === true;
  await generate(ctx, ex, model, ask, { stream, includeUsage: stream && request.stream_options?.include_usage === true, kind });
}

async function embeddings(ctx: ApiContext, ex: Exchange): Promise<void> {
  const request = await parseBody(ex.req, ex.res, ex.hold, EmbeddingRequest);
  if (!request) return;
  const inputs = convert(ex.res, () => embeddingInputs(request));
  if (!inputs) return;
  const model = await pickModel(ctx, ex.res, request.model);
  if (!model) return;
  await embed(ctx, ex, model, inputs, request.encoding_format === 'base64');
}

async function oneModel(ctx: ApiContext, res: http.ServerResponse, encoded: string): Promise<void> {
  let wanted: string;
  try {
    wanted = decodeURIComponent(encoded);
  } catch {
    return sendError(res, 400, 'invalid_request_error', 'The model id is not valid URL encoding.', { param: 'model' });
  }
  const found = (await ctx.models()).find((x) => x.id === wanted);
  return found
    ? sendJson(res, 200, modelJson(found))
    : sendError(res, 404, 'not_found_error', `The model "${wanted.slice(0, 200)}" does not exist.`, { param: 'model', code: 'model_not_found' });
}

export async function route(ctx: ApiContext, ex: Exchange, url: URL): Promise<void> {
  const { req, res } = ex;
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === '/health' && method === 'GET') return health(ctx, ex);
  if (!path.startsWith('/v1/')) return notFound(res, method, path);
  const key = checkKey(req, ctx.opts.key());
  if (key !== 'ok') {
    const message = key === 'wrong' ? 'Incorrect API key provided.' : 'Missing API key: send "Authorization: Bearer <key>" (Settings › Local API shows it).';
    return sendError(res, 401, 'authentication_error', message, { code: 'invalid_api_key' });
  }
  if (path === '/v1/models' && method === 'GET') return sendJson(res, 200, { object: 'list', data: (await ctx.models()).map(modelJson) });
  const one = /^\/v1\/models\/(.+)$/.exec(path);
  if (one && method === 'GET') return oneModel(ctx, res, one[1] as string);
  if (path === '/v1/chat/completions' && method === 'POST') return completions(ctx, ex, 'chat');
  if (path === '/v1/completions' && method === 'POST') return completions(ctx, ex, 'text');
  if (path === '/v1/embeddings' && method === 'POST') return embeddings(ctx, ex);
  return notFound(res, method, path);
}
