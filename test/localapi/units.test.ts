/** The local API's pure parts: model ids, the request mapping, the waiting line. */
import { describe, expect, it } from 'vitest';
import type { LibraryItem } from '../../src-main/contract/library';
import { ChatRequest, toHostRequest, Unsupported } from '../../src-main/localapi/chat-request';
import { apiModels } from '../../src-main/localapi/model-ids';
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
      sampling: { temperature: 0, topP: 0.5, topK: 40, minP: 0.05, repeatPenalty: 1, seed: 3, maxTokens: 9 },
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
    expect(refuse({ messages: [{ role: 'user', content: 'x' }], tools: [{}] })).toBe('tools');
    expect(refuse({ messages: [{ role: 'user', content: 'x' }], tools: [{}], tool_choice: 'none' })).toBeNull();
    expect(refuse({ messages: [{ role: 'tool', content: 'x' }] })).toBe('messages[0].role');
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
