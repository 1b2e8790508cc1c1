/**
 * Answering from the model, the parts that need no model: usage counts, failures as OpenAI's error
 * (JSON, or an error frame mid-stream), and the waiting line's 429. Generation itself, streamed and
 * whole, is proven against a real model in api.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src-main/contract/errors';
import type { ApiContext } from '../../src-main/localapi/context';
import { failed, takeTurn, usageOf } from '../../src-main/localapi/generate';
import { FifoGate } from '../../src-main/localapi/queue';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

/** A server answering each request with `handle`; returns a GET of it as status, headers and body. */
async function serve(handle: (res: http.ServerResponse) => void): Promise<() => Promise<{ status: number; retryAfter: string | null; body: string }>> {
  const server = http.createServer((_req, res) => handle(res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
  };
}

describe('answering from the model', () => {
  it('counts prompt tokens as the context used less what was generated', () => {
    expect(usageOf({ tokens: 12, contextUsed: 40 })).toEqual({ prompt_tokens: 28, completion_tokens: 12, total_tokens: 40 });
    expect(usageOf({ tokens: 5, contextUsed: 3 })).toEqual({ prompt_tokens: 0, completion_tokens: 5, total_tokens: 5 });
  });

  it("fails in OpenAI's shape: JSON with its status (Retry-After on a 429), or an error frame once a stream has begun", async () => {
    const log: { status?: number } = {};
    const busy = await serve((res) => failed(res, new ApiError('BUSY', 'Another model is answering.'), false, log));
    expect(await busy()).toEqual({
      status: 429,
      retryAfter: '2',
      body: JSON.stringify({ error: { message: 'Another model is answering.', type: 'rate_limit_error', param: null, code: 'busy' } }),
    });
    expect(log.status).toBe(429);
    const streamed = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[]}\n\n');
      failed(res, new Error('the host stopped'), true, log);
    });
    const r = await streamed();
    expect(r.status).toBe(200);
    expect(r.body).toBe(
      `data: {"choices":[]}\n\ndata: ${JSON.stringify({ error: { message: 'the host stopped', type: 'server_error', param: null, code: 'internal_error' } })}\n\n`,
    );
    expect(log.status).toBe(500);
  });

  it('says the line is full with a 429 and Retry-After instead of waiting without end', async () => {
    const ctx = { gate: new FifoGate(0, () => 1) } as Pick<ApiContext, 'gate'> as ApiContext;
    const release = await ctx.gate.enter(new AbortController().signal, 'model');
    const get = await serve((res) => void takeTurn(ctx, res, 'model'));
    const r = await get();
    expect(r).toMatchObject({ status: 429, retryAfter: '2' });
    expect(JSON.parse(r.body)).toMatchObject({ error: { type: 'rate_limit_error', code: 'queue_full' } });
    release();
  });
});
