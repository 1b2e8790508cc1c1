/**
 * The door every request passes, with bodies held back on purpose so the server's decisions are
 * seen, not raced: the body budget refuses what does not fit (503, Retry-After) while the bodies
 * it took are still arriving, and gives the bytes back when their answers are done; a body that
 * trickles past its deadline is a 408; one address
 * gets at most its share of requests in flight (429, Retry-After) while another is still let in.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { InferenceService } from '../../src-main/inference/service';
import { startLocalApi, type LocalApi, type LocalApiOptions } from '../../src-main/localapi/server';
import { inferenceAt, place, settingsAt } from '../helpers/fakes';

/** The inference service as a build without the host has it, from its slice's needs (no Core): these tests never load a model. */
function inferenceWithoutHost() {
  const p = place();
  return { inference: inferenceAt(p, settingsAt(p)).service };
}

const KEY = 'hc-door-test-0123456789';
let core: { inference: InferenceService } | null = null;
let api: LocalApi | null = null;

afterEach(async () => {
  await api?.close();
  core?.inference.close();
  api = null;
  core = null;
});

async function start(extra: Partial<LocalApiOptions>): Promise<LocalApi> {
  core = inferenceWithoutHost();
  api = await startLocalApi({ inference: core.inference, items: async () => [], key: () => KEY, host: '127.0.0.1', port: 0, ...extra });
  return api;
}

/** A chat request of exactly `size` bytes of valid JSON. */
function chatOfSize(size: number): Buffer {
  const head = JSON.stringify({ model: 'x.gguf', messages: [{ role: 'user', content: 'hi' }], pad: '' });
  return Buffer.from(head.replace('"pad":""', `"pad":"${'p'.repeat(size - head.length)}"`));
}

interface Held {
  answer: Promise<{ status: number; retryAfter: string | undefined }>;
  answered: () => boolean;
  /** Sends the rest of the body. */
  finish(): void;
}

/** A request whose headers (and the first `sent` bytes of its body) go out now, the rest when told. */
function held(port: number, body: Buffer, opts: { sent: number; chunked?: boolean; localAddress?: string }): Held {
  let done = false;
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/v1/chat/completions',
    agent: false,
    localAddress: opts.localAddress ?? '127.0.0.1',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...(opts.chunked ? {} : { 'content-length': body.length }) },
  });
  const answer = new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        done = true;
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
      });
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  if (opts.sent > 0) req.write(body.subarray(0, opts.sent));
  return { answer, answered: () => done, finish: () => req.end(body.subarray(opts.sent)) };
}

describe('local API door', () => {
  it('refuses bodies past the budget with 503 and Retry-After while the ones it took arrive, then takes new ones', async () => {
    const { port } = await start({ bodyBudget: 64 << 10 });
    const body = chatOfSize(16 << 10);
    // Four fit in the budget exactly; two more do not.
    const requests = Array.from({ length: 6 }, () => held(port, body, { sent: 1024 }));
    await expect.poll(() => requests.filter((r) => r.answered()).length, { timeout: 15_000 }).toBe(2);
    const refused = requests.filter((r) => r.answered());
    for (const r of refused) expect(await r.answer).toEqual({ status: 503, retryAfter: '2' });
    const taken = requests.filter((r) => !r.answered());
    for (const r of taken) r.finish();
    // Parsed, then no such model: the budget let them through whole.
    for (const r of taken) expect((await r.answer).status).toBe(404);
    const again = Array.from({ length: 4 }, () => held(port, body, { sent: body.length }));
    for (const r of again) r.finish();
    for (const r of again) expect((await r.answer).status).toBe(404);
  });

  it('refuses a chunked body once its own bytes pass the budget, answering while it is still being sent', async () => {
    const { port } = await start({ bodyBudget: 64 << 10 });
    const r = held(port, chatOfSize(200 << 10), { sent: 100 << 10, chunked: true });
    expect(await r.answer).toEqual({ status: 503, retryAfter: '2' });
    r.finish();
    const small = held(port, chatOfSize(1024), { sent: 0, chunked: true });
    small.finish();
    expect((await small.answer).status).toBe(404);
  });

  it('answers 408 to a body that does not arrive in time, and gives its share of the budget back', async () => {
    const { port } = await start({ bodyBudget: 16 << 10, bodyDeadlineMs: 300 });
    const body = chatOfSize(16 << 10);
    const trickle = held(port, body, { sent: 10 });
    expect(await trickle.answer).toEqual({ status: 408, retryAfter: undefined });
    trickle.finish();
    const next = held(port, body, { sent: 0 });
    next.finish();
    expect((await next.answer).status).toBe(404);
  });

  it('lets one address have its share of requests in flight (429 past it) while another is still let in', async () => {
    const { port } = await start({ maxPerClient: 3 });
    const body = chatOfSize(256);
    const mine = Array.from({ length: 5 }, () => held(port, body, { sent: 0 }));
    await expect.poll(() => mine.filter((r) => r.answered()).length, { timeout: 15_000 }).toBe(2);
    for (const r of mine.filter((x) => x.answered())) expect(await r.answer).toEqual({ status: 429, retryAfter: '2' });
    const other = held(port, body, { sent: 0, localAddress: '127.0.0.2' });
    other.finish();
    expect((await other.answer).status).toBe(404);
    const waiting = mine.filter((r) => !r.answered());
    for (const r of waiting) r.finish();
    for (const r of waiting) expect((await r.answer).status).toBe(404);
    // Their slots are given back when the answers are done.
    const next = held(port, body, { sent: 0 });
    next.finish();
    expect((await next.answer).status).toBe(404);
  });
});
