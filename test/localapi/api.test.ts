/**
 * The local OpenAI-compatible API, driven with the official `openai` SDK against a real inference
 * host and a generated model: models, chat with and without streaming (the same answer for one
 * seed), JSON schema output that parses, a tool call round trip, two streams answered at once on
 * two sequences, an abort mid-stream, auth, bad ids, hostile requests, a full queue, and a host
 * killed mid-answer (with another stream running beside it).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { InferenceService } from '../../src-main/inference/service';
import type { Library } from '../../src-main/library/library';
import { startLocalApi, type ApiRequestLog, type LocalApi } from '../../src-main/localapi/server';
import { inferenceAt, libraryAt, place, settingsAt } from '../helpers/fakes';
import { sourceHostLauncher, testModel } from '../helpers/inference';

const KEY = 'hc-test-key-0123456789';
let core: { inference: InferenceService; library: Library };
let api: LocalApi;
let client: OpenAI;
const logs: ApiRequestLog[] = [];
const MODEL = path.basename(testModel());

beforeAll(async () => {
  // The inference service over the Library, from what its slice declares it needs; no Core.
  const p = place();
  const settings = settingsAt(p);
  settings.update({ loadDefaults: { gpuLayers: 'auto', contextSize: 2048, batchSize: null, threads: 1 } });
  const { library } = libraryAt(p, settings);
  const inference = inferenceAt(p, settings, library, { inferenceLauncher: sourceHostLauncher(), inferenceHostIdleMs: 60_000 }).service;
  core = { inference, library };
  await core.library.add([testModel()]);
  api = await startLocalApi({
    inference: core.inference,
    items: () => core.library.items(),
    key: () => KEY,
    host: '127.0.0.1',
    port: 0,
    maxQueue: 1,
    parallel: 2,
    onRequest: (l) => logs.push(l),
  });
  client = new OpenAI({ baseURL: api.url, apiKey: KEY, maxRetries: 0, timeout: 60_000 });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await core?.inference.close();
});

/** An answer that cannot end early (the tiny model may otherwise stop at once). */
const long = {
  max_tokens: 8000,
  response_format: {
    type: 'json_schema' as const,
    // Nested, so the grammar stays small (llama.cpp refuses a 2000-fold repetition) while the answer cannot end before 50 × 50 items.
    json_schema: { name: 'ticks', schema: { type: 'array', minItems: 50, items: { type: 'array', minItems: 50, items: { enum: ['tick'] } } } },
  },
};

const ask = {
  model: MODEL,
  messages: [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'Say hello.' },
  ],
  seed: 7,
  temperature: 0.7,
  max_tokens: 12,
};

describe('local OpenAI-compatible API', { timeout: 90_000 }, () => {
  it('lists the Library’s runnable models with stable readable ids, and needs the key', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual([MODEL]);
    expect(list.data[0]).toMatchObject({ object: 'model', owned_by: 'local' });
    expect((await client.models.retrieve(MODEL)).id).toBe(MODEL);
    await expect(client.models.retrieve('nope.gguf')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const wrong = new OpenAI({ baseURL: api.url, apiKey: 'hc-wrong', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const none = await fetch(`${api.url}/models`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { type: 'authentication_error', code: 'invalid_api_key' } });
  });

  it('answers a chat (loading the model on demand), and streams the same answer for the same seed', async () => {
    expect(core.inference.status().model).toBeNull();
    const whole = await client.chat.completions.create(ask);
    expect(core.inference.status().model?.name).toBe(MODEL);
    expect(whole.object).toBe('chat.completion');
    expect(whole.model).toBe(MODEL);
    const choice = whole.choices[0];
    expect(choice?.message.role).toBe('assistant');
    expect(['stop', 'length']).toContain(choice?.finish_reason);
    expect(whole.usage?.completion_tokens).toBeGreaterThan(0);
    expect(whole.usage?.completion_tokens).toBeLessThanOrEqual(12);
    expect(whole.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(whole.usage?.total_tokens).toBe((whole.usage?.prompt_tokens ?? 0) + (whole.usage?.completion_tokens ?? 0));

    const stream = await client.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]?.id)).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(choice?.message.content);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe(choice?.finish_reason);
    expect(logs.some((l) => l.path === '/v1/chat/completions' && l.status === 200 && l.model === MODEL && l.completionTokens > 0)).toBe(true);
  });

  it('frames SSE exactly as OpenAI does: data lines, a final chunk, [DONE]', async () => {
    const res = await fetch(`${api.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask, stream: true }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await res.text();
    const frames = body.split('\n\n').filter(Boolean);
    expect(frames.every((f) => f.startsWith('data: '))).toBe(true);
    expect(frames.at(-1)).toBe('data: [DONE]');
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('constrains the answer to a JSON schema (and to any JSON for json_object)', async () => {
    const r = await client.chat.completions.create({
      ...ask,
      max_tokens: 64,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'color', schema: { type: 'object', properties: { color: { enum: ['red', 'green'] } }, required: ['color'] }, strict: true },
      },
    });
    const parsed = JSON.parse(r.choices[0]?.message.content ?? '') as { color: string };
    expect(['red', 'green']).toContain(parsed.color);
  });

  it('calls a tool when it must, streams the call, and answers from the tool result (a round trip)', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'The weather in a city now',
          parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 6 } }, required: ['city'], additionalProperties: false },
        },
      },
      { type: 'function', function: { name: 'get_time', description: 'The time now' } },
    ];
    const question = { ...ask, max_tokens: 256, messages: [{ role: 'user' as const, content: 'Weather in Paris?' }], tools };
    const called = await client.chat.completions.create({ ...question, tool_choice: { type: 'function', function: { name: 'get_weather' } } });
    const choice = called.choices[0];
    expect(choice?.finish_reason, JSON.stringify(choice)).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(call?.id).toMatch(/^call_/);
    if (call?.type !== 'function') throw new Error('no function call');
    expect(call.function.name).toBe('get_weather');
    expect(typeof (JSON.parse(call.function.arguments) as { city: unknown }).city).toBe('string');

    // Streamed: the SDK's accumulator rebuilds the same call from the deltas.
    const stream = client.chat.completions.stream({ ...question, tool_choice: 'required' });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    expect(streamed?.type === 'function' && ['get_weather', 'get_time'].includes(streamed.function.name)).toBe(true);

    // The result goes back; the model answers in words (tool_choice none) or calls again (auto): both are valid OpenAI answers.
    const history: OpenAI.ChatCompletionMessageParam[] = [
      ...question.messages,
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: '{"temperature_c": 18, "sky": "clear"}' },
    ];
    const answered = await client.chat.completions.create({ ...question, messages: history, tool_choice: 'none' });
    expect(answered.choices[0]?.message.role).toBe('assistant');
    expect(answered.choices[0]?.message.tool_calls ?? []).toEqual([]);
    expect(answered.usage?.completion_tokens).toBeGreaterThan(0);
    const auto = await client.chat.completions.create({ ...question, messages: history });
    expect(['stop', 'length', 'tool_calls']).toContain(auto.choices[0]?.finish_reason);

    // Parameters that are not an object schema are a 400 naming the field, not a failure mid-answer.
    const bad = client.chat.completions.create({
      ...question,
      tools: [{ type: 'function', function: { name: 'odd', parameters: { type: 'string' } } }],
      tool_choice: 'required',
    });
    await expect(bad).rejects.toThrow(/tools\[0\]\.function\.parameters/);
  });

  it('answers two streams at once on two sequences (batched), not one after the other', async () => {
    const a = await client.chat.completions.create({ ...ask, ...long, stream: true });
    const b = await client.chat.completions.create({ ...ask, ...long, stream: true, seed: 8 });
    expect(core.inference.status().model?.sequences).toBe(2);
    const ia = a[Symbol.asyncIterator]();
    const ib = b[Symbol.asyncIterator]();
    // Both keep receiving text while the other is still going: neither waits for the other's end.
    for (let i = 0; i < 5; i++) {
      expect((await ia.next()).done).toBe(false);
      expect((await ib.next()).done).toBe(false);
    }
    a.controller.abort();
    b.controller.abort();
    await expect.poll(() => core.inference.status().generating, { timeout: 3000, interval: 20 }).toBeNull();
  });

  it('stops generating at once when the client aborts mid-stream, and serves the next request', async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ ...ask, ...long, stream: true }, { signal: controller.signal });
    let seen = 0;
    let abortedAt = 0;
    // The SDK ends the iteration quietly on abort (it does not throw).
    for await (const c of stream) {
      if (c.choices[0]?.delta.content) seen++;
      if (seen >= 2 && !abortedAt) {
        abortedAt = Date.now();
        controller.abort();
      }
    }
    expect(abortedAt).toBeGreaterThan(0);
    // The answer would take many seconds more: it stopped because the client left.
    await expect.poll(() => core.inference.status().generating, { timeout: 2000, interval: 20 }).toBeNull();
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    const next = await client.chat.completions.create(ask);
    expect(next.choices[0]?.message.role).toBe('assistant');
  });

  it('completes raw text (no chat template), streaming too, and a chat still answers the same afterwards', async () => {
    const before = await client.chat.completions.create(ask);
    const raw = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 8, seed: 3 });
    expect(raw.object).toBe('text_completion');
    expect(raw.usage?.completion_tokens).toBeGreaterThan(0);
    const stream = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 8, seed: 3, stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.text ?? '';
    expect(text).toBe(raw.choices[0]?.text);
    // The raw completion used the chat's sequence: the chat sets its history again, so nothing leaks.
    expect((await client.chat.completions.create(ask)).choices[0]?.message.content).toBe(before.choices[0]?.message.content);
  });

  it('makes embeddings, as floats or as the base64 the SDK asks for by default', async () => {
    const floats = await client.embeddings.create({ model: MODEL, input: ['hello', 'world'], encoding_format: 'float' });
    expect(floats.data.map((d) => d.index)).toEqual([0, 1]);
    const dims = floats.data[0]?.embedding.length ?? 0;
    expect(dims).toBeGreaterThan(0);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    // The SDK's default (base64, decoded by it) gives the same numbers, as float32.
    const decoded = await client.embeddings.create({ model: MODEL, input: 'hello' });
    const a = decoded.data[0]?.embedding ?? [];
    const b = floats.data[0]?.embedding ?? [];
    expect(a.length).toBe(dims);
    for (let i = 0; i < dims; i++) expect(a[i]).toBeCloseTo(b[i] as number, 4);
    await expect(client.embeddings.create({ model: MODEL, input: [1, 2, 3] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('refuses bad requests in OpenAI’s error shape, naming the field', async () => {
    const bad = async (body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${api.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } } };
    };
    expect((await bad('{not json')).status).toBe(400);
    const wrongType = await bad({ model: MODEL, messages: 'hello' });
    expect(wrongType).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error', param: 'messages' } } });
    expect((await bad({ model: MODEL, messages: [{ role: 'user', content: 'x' }], temperature: 9 })).body.error.param).toBe('temperature');
    expect((await bad({ model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 10_000_000 })).body.error.param).toBe('max_tokens');
    expect(
      (await bad({ model: MODEL, messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f g' } }] })).body.error,
    ).toMatchObject({
      code: 'invalid_request',
      param: 'tools[0].function.name',
    });
    expect((await bad({ model: MODEL, messages: [{ role: 'tool', tool_call_id: 'call_x', content: 'r' }] })).body.error).toMatchObject({
      code: 'unsupported',
      param: 'messages[0].tool_call_id',
    });
    expect((await bad({ model: MODEL, messages: [{ role: 'assistant', content: 'x' }] })).body.error.message).toMatch(/last message must be from the user/);
    expect(
      (await bad({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] })).body.error
        .message,
    ).toMatch(/only text/);
    const unknown = await bad({ model: '/etc/passwd', messages: [{ role: 'user', content: 'x' }] });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'model_not_found', param: 'model' } } });
    expect(unknown.body.error.message).toContain(MODEL);
    expect((await bad(JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(5 << 20) }] }))).status).toBe(413);
    // Unknown fields are ignored, as OpenAI's own server does.
    const extra = await fetch(`${api.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      // Penalties go to llama.cpp's sampler (the host takes them); logit_bias and user are ignored.
      body: JSON.stringify({ ...ask, presence_penalty: 1.5, frequency_penalty: 0.5, logit_bias: { 1: 2 }, user: 'me', some_future_field: true }),
    });
    expect(extra.status).toBe(200);
  });

  it('checks the Host header and browser origins', async () => {
    const http = await import('node:http');
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port: api.port, path: '/v1/models', headers: { authorization: `Bearer ${KEY}`, ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.end();
      });
    expect(await status({ host: `evil.example:${api.port}` })).toBe(403);
    expect(await status({ host: `localhost:${api.port}` })).toBe(200);
    expect(await status({ host: `127.0.0.1:${api.port}`, origin: 'https://evil.example' })).toBe(403);
  });

  it('says the line is full (429 with Retry-After) instead of queueing without end', async () => {
    // Two run (two sequences), one waits (maxQueue 1), the next is refused.
    const s0 = await client.chat.completions.create({ ...ask, ...long, stream: true });
    await s0[Symbol.asyncIterator]().next();
    const first = client.chat.completions.create({ ...ask, ...long, stream: true });
    const s1 = await first;
    const it1 = s1[Symbol.asyncIterator]();
    await it1.next();
    const second = client.chat.completions.create(ask);
    await new Promise((r) => setTimeout(r, 100));
    const third = await fetch(`${api.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(ask),
    });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('2');
    s0.controller.abort();
    s1.controller.abort();
    expect((await second).choices[0]?.message.role).toBe('assistant');
  });

  it('a host killed mid-answer fails every running request with a clear message; the next one works', async () => {
    // Settled at once into a value, so its rejection is awaited below rather than unhandled.
    const beside = client.chat.completions
      .create({ ...ask, ...long, stream: true, seed: 9 })
      .then(async (s) => {
        for await (const _ of s) void _;
        return null;
      })
      .catch((e: unknown) => e as Error);
    const stream = await client.chat.completions.create({ ...ask, ...long, stream: true });
    const failure = (async () => {
      for await (const c of stream) {
        if (c.choices[0]?.delta.content !== undefined && core.inference.hostPid) process.kill(core.inference.hostPid, 'SIGKILL');
      }
    })();
    await expect(failure).rejects.toThrow(/inference|crash|stopped|host/i);
    expect((await beside)?.message).toMatch(/inference|crash|stopped|host/i);
    const next = await client.chat.completions.create(ask);
    expect(next.choices[0]?.message.role).toBe('assistant');
  });
});
