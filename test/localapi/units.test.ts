/** The local API's pure parts: model ids, the request mapping, the waiting line. */
import { describe, expect, it } from 'vitest';
import type { LibraryItem } from '../../src-main/contract/library';
import { ChatRequest, toHostRequest, Unsupported } from '../../src-main/localapi/chat-request';
import { apiModels, resolveModel } from '../../src-main/localapi/model-ids';
import { FifoGate, QueueFull } from '../../src-main/localapi/queue';

const item = (patch: Partial<LibraryItem>): LibraryItem => ({
  key: 'local:00000000-0000-4000-8000-000000000001',
  source: 'local',
  kind: 'gguf',
  name: 'a.gguf',
  path: '/m/a.gguf',
  parts: 1,
  size: 1,
  summary: null,
  repo: null,
  revision: null,
  addedAt: '2026-01-01T00:00:00.000Z',
  lastUsed: null,
  missing: false,
  inHubcapFolder: false,
  foundIn: null,
  problem: null,
  ...patch,
});

describe('model ids', () => {
  it('are readable, stable when another model loads, unique, and only for GGUF files that can run', () => {
    const cached = (commit: string, revision: string) =>
      item({ key: `cache:model:acme/tiny-llm@${commit}:tiny-Q4_K_M.gguf`, source: 'cache', name: 'tiny-Q4_K_M.gguf', repo: 'acme/tiny-llm', revision });
    const items = [
      item({}),
      item({ key: 'local:00000000-0000-4000-8000-000000000002', path: '/n/a.gguf' }),
      cached('a'.repeat(40), 'main'),
      cached('b'.repeat(40), 'v1.0'),
      item({ key: 'local:00000000-0000-4000-8000-000000000003', name: 'broken.gguf', problem: 'Not a GGUF' }),
      item({ key: 'local:00000000-0000-4000-8000-000000000004', name: 'gone.gguf', missing: true }),
      item({ key: 'local:00000000-0000-4000-8000-000000000005', name: 'w.safetensors', kind: 'safetensors' }),
    ];
    const ids = apiModels(items, null).map((m) => m.id);
    expect(ids).toEqual(['a.gguf', 'a.gguf@00000000', 'acme/tiny-llm/tiny-Q4_K_M.gguf', 'acme/tiny-llm/tiny-Q4_K_M.gguf@v1.0']);
    const loaded = apiModels(items, 'local:00000000-0000-4000-8000-000000000002');
    expect(loaded[0]?.id).toBe('a.gguf@00000000');
    expect(new Set(loaded.map((m) => m.id))).toEqual(new Set(ids));
  });
});

describe('a model named by repo id', () => {
  const cached = (repo: string, file: string, commit = 'a'.repeat(40), revision = 'main') =>
    item({ key: `cache:model:${repo}@${commit}:${file}`, source: 'cache', name: file, repo, revision });
  const models = apiModels(
    [
      cached('acme/solo', 'solo-Q8_0.gguf'),
      cached('acme/tiny', 'tiny-Q4_K_M.gguf'),
      cached('acme/tiny', 'tiny-Q4_K_M.gguf', 'b'.repeat(40), 'v2'),
      cached('acme/tiny', 'tiny-Q8_0-00001-of-00002.gguf'),
      cached('acme/two', 'two-IQ4_XS.gguf'),
      cached('acme/two', 'two-Q6_K.gguf'),
      item({ name: 'acme.gguf' }),
    ],
    null,
  );
  const id = (name: string) => {
    const pick = resolveModel(models, name);
    return 'model' in pick ? pick.model.id : 'ambiguous' in pick ? pick.ambiguous.map((m) => m.id) : null;
  };

  it('is its one runnable GGUF, whatever the case, with or without hf.co/', () => {
    expect(id('acme/solo')).toBe('acme/solo/solo-Q8_0.gguf');
    expect(id('ACME/solo')).toBe('acme/solo/solo-Q8_0.gguf');
    expect(id('hf.co/acme/solo')).toBe('acme/solo/solo-Q8_0.gguf');
  });

  it('names a quantization after a colon (a split GGUF by its parts), and lists the choices when that is not enough', () => {
    expect(id('acme/tiny:Q8_0')).toBe('acme/tiny/tiny-Q8_0-00001-of-00002.gguf');
    expect(id('acme/two:iq4_xs')).toBe('acme/two/two-IQ4_XS.gguf');
    // Two revisions of the Q4_K_M file: the quantization alone does not choose.
    expect(id('acme/tiny:Q4_K_M')).toEqual(['acme/tiny/tiny-Q4_K_M.gguf', 'acme/tiny/tiny-Q4_K_M.gguf@v2']);
    expect(id('acme/two')).toEqual(['acme/two/two-IQ4_XS.gguf', 'acme/two/two-Q6_K.gguf']);
  });

  it('is nothing for a repo not in the Library, a quantization it lacks, or a path', () => {
    expect(id('acme/none')).toBeNull();
    expect(id('acme/solo:Q4_K_M')).toBeNull();
    expect(id('../../etc/passwd')).toBeNull();
    expect(id('/etc/passwd')).toBeNull();
    expect(id('acme.gguf')).toBe('acme.gguf');
  });
});

describe('chat request', () => {
  const parse = (body: unknown) => toHostRequest(ChatRequest.parse(body));
  it('maps roles, text parts, sampling, stop and formats', () => {
    const r = parse({
      model: 'm',
      messages: [
        { role: 'system', content: 'A' },
        { role: 'developer', content: [{ type: 'text', text: 'B' }] },
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: 'a1' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'q' },
            { type: 'text', text: '2' },
          ],
        },
      ],
      temperature: 0,
      top_p: 0.5,
      seed: 3,
      max_completion_tokens: 9,
      stop: 'END',
      response_format: { type: 'json_object' },
      presence_penalty: 1,
    });
    expect(r).toEqual({
      systemPrompt: 'A\n\nB',
      history: [
        { role: 'user', text: 'q1' },
        { role: 'assistant', text: 'a1' },
      ],
      prompt: 'q2',
      sampling: { temperature: 0, topP: 0.5, topK: 40, minP: 0.05, repeatPenalty: 1, seed: 3, maxTokens: 9, presencePenalty: 1 },
      stop: ['END'],
      format: { type: 'json' },
    });
  });
  it('refuses what it does not do, saying which field', () => {
    const refuse = (body: unknown) => {
      try {
        parse(body);
      } catch (e) {
        return e instanceof Unsupported ? e.param : 'other';
      }
      return null;
    };
    expect(refuse({ messages: [{ role: 'user', content: 'x' }], n: 2 })).toBe('n');
    const user = [{ role: 'user', content: 'x' }];
    const tool = (name: string) => ({ type: 'function', function: { name } });
    expect(refuse({ messages: user, tools: [tool('a'), tool('a')] })).toBe('tools[1].function.name');
    expect(refuse({ messages: user, tool_choice: 'required' })).toBe('tool_choice');
    expect(refuse({ messages: user, tools: [tool('a')], tool_choice: { type: 'function', function: { name: 'b' } } })).toBe('tool_choice');
    expect(refuse({ messages: user, tools: [tool('a')], response_format: { type: 'json_object' } })).toBe('response_format');
    expect(refuse({ messages: user, functions: [{ name: 'a' }] })).toBe('functions');
    expect(refuse({ messages: [{ role: 'tool', tool_call_id: 'c1', content: 'x' }] })).toBe('messages[0].tool_call_id');
    expect(refuse({ messages: [{ role: 'function', name: 'a', content: 'x' }] })).toBe('messages[0].role');
    const called = { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'a', arguments: '{}' } }] };
    expect(refuse({ messages: [...user, called] })).toBe('messages');
    expect(refuse({ messages: [...user, called, { role: 'tool', tool_call_id: 'c2', content: 'r' }] })).toBe('messages[2].tool_call_id');
    expect(() => ChatRequest.parse({ messages: user, tools: [tool('no spaces allowed')] })).toThrow(/function name/);
    expect(
      refuse({
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: 'y' },
        ],
      }),
    ).toBe('messages');
    expect(() => ChatRequest.parse({ messages: [] })).toThrow(/must not be empty/);
  });
  it('maps tools, the choice, and a tool round trip into history with results', () => {
    const weather = {
      type: 'function',
      function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    };
    const ask = parse({ messages: [{ role: 'user', content: 'Paris?' }], tools: [weather], tool_choice: 'required', parallel_tool_calls: false });
    expect(ask).toMatchObject({
      prompt: 'Paris?',
      tools: [{ name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: 'required',
      maxToolCalls: 1,
    });
    expect(
      parse({ messages: [{ role: 'user', content: 'x' }], tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } }).toolChoice,
    ).toEqual({
      name: 'get_weather',
    });
    expect(parse({ messages: [{ role: 'user', content: 'x' }], tools: [weather], tool_choice: 'none' }).tools).toBeUndefined();
    const back = parse({
      messages: [
        { role: 'user', content: 'Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'c2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c2', content: '25C' },
        { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: '18C' }] },
      ],
      tools: [weather],
    });
    expect(back.prompt).toBeNull();
    expect(back.history).toEqual([
      { role: 'user', text: 'Paris and Rome?' },
      {
        role: 'assistant',
        text: '',
        calls: [
          { name: 'get_weather', arguments: '{"city":"Paris"}', result: '18C' },
          { name: 'get_weather', arguments: '{"city":"Rome"}', result: '25C' },
        ],
      },
    ]);
  });
});

describe('waiting line', () => {
  it('serves in arrival order, refuses past its bound, and drops a waiter whose client left', async () => {
    const gate = new FifoGate(2);
    const order: string[] = [];
    const first = await gate.enter(new AbortController().signal);
    const leaving = new AbortController();
    const b = gate.enter(new AbortController().signal).then((release) => (order.push('b'), release));
    const gone = gate.enter(leaving.signal).catch(() => 'left');
    await expect(gate.enter(new AbortController().signal)).rejects.toBeInstanceOf(QueueFull);
    leaving.abort();
    expect(await gone).toBe('left');
    const c = gate.enter(new AbortController().signal).then((release) => (order.push('c'), release));
    first();
    (await b)();
    (await c)();
    expect(order).toEqual(['b', 'c']);
    expect(gate.waiting).toBe(0);
  });
});

describe('waiting line with sequences', () => {
  it("lets in up to the model's capacity at once, holds another model until all are done, and stays in order", async () => {
    let capacity = 1;
    const gate = new FifoGate(8, (key) => (key === 'a' ? capacity : 1));
    const signal = new AbortController().signal;
    const order: string[] = [];
    const a1 = await gate.enter(signal, 'a');
    const a2 = gate.enter(signal, 'a').then((r) => (order.push('a2'), r));
    const b1 = gate.enter(signal, 'b').then((r) => (order.push('b1'), r));
    const a3 = gate.enter(signal, 'a').then((r) => (order.push('a3'), r));
    await Promise.resolve();
    expect(order).toEqual([]);
    capacity = 4; // the model finished loading with four sequences
    gate.poke();
    await new Promise((r) => setTimeout(r, 0));
    // a2 joins a1; b1 waits for both, and a3 waits behind b1 (no overtaking)
    expect(order).toEqual(['a2']);
    expect(gate.running).toBe(2);
    a1();
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual(['a2']);
    (await a2)();
    (await b1)();
    (await a3)();
    expect(order).toEqual(['a2', 'b1', 'a3']);
    expect(gate.running).toBe(0);
  });
});
