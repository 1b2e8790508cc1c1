/**
 * Answering from the model: a turn at it from the FIFO line (429 when the line is full; a client
 * gone stops what it started), one generation framed as the endpoint's objects (JSON at the end,
 * or SSE chunks exactly as OpenAI frames them: `data: {…}` frames, a final chunk with
 * finish_reason, the usage chunk when asked, `[DONE]`), and embeddings.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { ApiError } from '../contract/errors';
import type { ApiRequestLog } from '../contract/localapi';
import type { HostCompleteRequest, HostGenerateRequest } from '../inference/host-protocol';
import { apiErrorToHttp, RETRY_AFTER_S, sendError, sendJson } from './answers';
import { base64Floats } from './chat-request';
import type { ApiContext } from './context';
import type { ApiModel } from './model-ids';
import { QueueFull } from './queue';

export type Ask = { chat: Omit<HostGenerateRequest, 'requestId'> } | { raw: Omit<HostCompleteRequest, 'requestId'> };
export interface Framing {
  stream: boolean;
  includeUsage: boolean;
  kind: 'chat' | 'text';
}
interface Turn {
  release: () => void;
  signal: AbortSignal;
}
type ToolCall = { id: string; type: 'function'; function: { name: string; arguments: string } };

const unix = () => Math.floor(Date.now() / 1000);

/** This request's turn at the model; null when the line is full (429 sent) or the client left. */
export async function takeTurn(ctx: ApiContext, res: http.ServerResponse, key: string): Promise<Turn | null> {
  // A client gone while waiting or answering stops everything it started.
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    return { release: await ctx.gate.enter(abort.signal, key), signal: abort.signal };
  } catch (error) {
    if (error instanceof QueueFull) {
      sendError(res, 429, 'rate_limit_error', `${ctx.gate.waiting} requests are already waiting for the model; try again shortly.`, {
        code: 'queue_full',
        headers: { 'retry-after': RETRY_AFTER_S },
      });
    }
    return null;
  }
}

/** A failure as OpenAI's error: a JSON answer, or mid-stream an error frame (the SDKs raise it), then the end. */
export function failed(res: http.ServerResponse, error: unknown, streaming: boolean, log: Partial<ApiRequestLog>): void {
  const e = error instanceof ApiError ? error : new ApiError('INTERNAL', (error as Error).message);
  const { status, type, code } = apiErrorToHttp(e);
  log.status = status;
  if (streaming) {
    res.write(`data: ${JSON.stringify({ error: { message: e.message, type, param: null, code } })}\n\n`);
    res.end();
  } else {
    sendError(res, status, type, e.message, { code, ...(status === 429 ? { headers: { 'retry-after': RETRY_AFTER_S } } : {}) });
  }
}

export function usageOf(stats: { tokens: number; contextUsed: number }) {
  const completion = stats.tokens;
  const prompt = Math.max(0, stats.contextUsed - completion);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** The SSE frames of one answer, with its id and creation time fixed. */
function sseFrames(model: ApiModel, kind: 'chat' | 'text') {
  const chat = kind === 'chat';
  const id = chat ? `chatcmpl-${randomUUID()}` : `cmpl-${randomUUID()}`;
  const created = unix();
  const object = chat ? 'chat.completion.chunk' : 'text_completion';
  return {
    id,
    created,
    frame: (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object, created, model: model.id, system_fingerprint: null, choices, ...extra })}\n\n`,
    piece: (text: string, finish: string | null) =>
      chat
        ? { index: 0, delta: finish ? {} : { content: text }, logprobs: null, finish_reason: finish }
        : { index: 0, text, logprobs: null, finish_reason: finish },
  };
}

/** The whole (not streamed) answer object. */
function completionJson(
  head: { id: string; created: number },
  model: ApiModel,
  kind: 'chat' | 'text',
  result: { text: string },
  calls: ToolCall[],
  finish: string,
  usage: ReturnType<typeof usageOf>,
) {
  const chat = kind === 'chat';
  const choice = chat
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
    : { index: 0, text: result.text, logprobs: null, finish_reason: finish };
  return {
    id: head.id,
    object: chat ? 'chat.completion' : 'text_completion',
    created: head.created,
    model: model.id,
    system_fingerprint: null,
    choices: [choice],
    usage,
  };
}

/** One generation, chat or raw, framed as the endpoint's objects. */
export async function generate(
  ctx: ApiContext,
  ex: { res: http.ServerResponse; log: Partial<ApiRequestLog> },
  model: ApiModel,
  ask: Ask,
  framing: Framing,
): Promise<void> {
  const { res, log } = ex;
  log.model = model.id;
  const turn = await takeTurn(ctx, res, model.key);
  if (!turn) return;
  const chat = framing.kind === 'chat';
  const sse = sseFrames(model, framing.kind);
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
      if (chat) res.write(sse.frame([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
    }
    const result = await ctx.opts.inference.complete({
      ...('chat' in ask ? ask.chat : { raw: ask.raw }),
      key: model.key,
      signal: turn.signal,
      onReady: () => ctx.gate.poke(),
      onDelta: (delta) => {
        if (framing.stream && delta) res.write(sse.frame([sse.piece(delta, null)]));
      },
    });
    const usage = usageOf(result.stats);
    const calls: ToolCall[] = (result.toolCalls ?? []).map((c) => ({
      id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      type: 'function',
      function: c,
    }));
    const finish = calls.length ? 'tool_calls' : result.stats.stopReason === 'maxTokens' ? 'length' : 'stop';
    Object.assign(log, { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, tokensPerSecond: result.stats.tokensPerSecond });
    if (turn.signal.aborted) return;
    if (!framing.stream) return sendJson(res, 200, completionJson(sse, model, framing.kind, result, calls, finish, usage));
    // Each call whole in one delta (the SDKs accumulate argument pieces; one piece is a valid stream).
    calls.forEach((c, index) => res.write(sse.frame([{ index: 0, delta: { tool_calls: [{ index, ...c }] }, logprobs: null, finish_reason: null }])));
    res.write(sse.frame([sse.piece('', finish)]));
    if (framing.includeUsage) res.write(sse.frame([], { usage }));
    res.end('data: [DONE]\n\n');
  } catch (error) {
    if (!turn.signal.aborted) failed(res, error, started, log);
  } finally {
    turn.release();
  }
}

/** Embeddings for `inputs`, as floats or base64 float32 (the SDK's default). */
export async function embed(
  ctx: ApiContext,
  ex: { res: http.ServerResponse; log: Partial<ApiRequestLog> },
  model: ApiModel,
  inputs: string[],
  base64: boolean,
): Promise<void> {
  const { res, log } = ex;
  log.model = model.id;
  const turn = await takeTurn(ctx, res, model.key);
  if (!turn) return;
  try {
    const result = await ctx.opts.inference.embed(model.key, inputs);
    log.promptTokens = result.tokens;
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
