/** The chat slice with a fake of what it declares it needs from inference: no host, no model, no Core. */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src-main/contract/errors';
import { ChatService } from '../../src-main/chat/service';
import type { ChatAnswerOutcome, ChatAsk } from '../../src-main/inference/service';
import { tmpDir } from '../helpers/tmp';

type Sink = { onToken: (delta: string, tokens: number) => void; onSettled: (o: ChatAnswerOutcome) => void };

function fakeInference() {
  const fake: {
    model: { key: string; name: string } | null;
    apiFull: boolean;
    asks: ChatAsk[];
    stopped: string[];
    to: Sink | null;
    loadedModel: () => { key: string; name: string } | null;
    assertChatRoom: () => void;
    answerChat: (ask: ChatAsk, to: Sink) => string;
    stopChat: (requestId: string) => void;
  } = {
    model: { key: 'local:m', name: 'Tiny' },
    apiFull: false,
    asks: [],
    stopped: [],
    to: null,
    loadedModel: () => fake.model,
    assertChatRoom: () => {
      if (fake.apiFull) throw new ApiError('BUSY', 'The local API is answering a request with this model; try again in a moment.');
    },
    answerChat: (ask, to) => {
      fake.asks.push(ask);
      fake.to = to;
      return `req-${fake.asks.length}`;
    },
    stopChat: (requestId) => void fake.stopped.push(requestId),
  };
  return fake;
}

function setup() {
  const inference = fakeInference();
  const events: { name: string; payload: unknown }[] = [];
  const chats = new ChatService({ dataDir: tmpDir(), inference, emit: (name, payload) => void events.push({ name, payload }) });
  return { inference, events, chats };
}

describe('chats', () => {
  it('sends the conversation so far, streams into a pending reply, and saves the answer with its stats', () => {
    const { inference, events, chats } = setup();
    const c = chats.create('Be brief.');
    const pending = chats.send(c.id, 'Hello there');
    expect(pending.title).toBe('Hello there');
    expect(pending.messages.map((m) => [m.role, m.pending ?? false])).toEqual([
      ['user', false],
      ['assistant', true],
    ]);
    expect(inference.asks[0]).toMatchObject({ conversationId: c.id, systemPrompt: 'Be brief.', history: [], prompt: 'Hello there' });
    inference.to?.onToken('Hi', 1);
    expect(chats.get(c.id).messages.at(-1)?.text).toBe('Hi');
    expect(events.some((e) => e.name === 'chat.stream')).toBe(true);
    const stats = { tokens: 2, tokensPerSecond: 10, timeToFirstTokenMs: 5, totalMs: 50, stopReason: 'end' as const, contextUsed: 20, contextSize: 512 };
    inference.to?.onSettled({ result: { text: 'Hi!', stats } });
    const saved = chats.get(c.id);
    expect(saved.messages.at(-1)).toMatchObject({ role: 'assistant', text: 'Hi!', stats, model: 'Tiny' });
    expect(saved.messages.at(-1)?.pending).toBeUndefined();
    expect(saved.modelKey).toBe('local:m');
  });

  it('refuses a second answer, a chat with no model, and one while the API holds every sequence', () => {
    const { inference, chats } = setup();
    const a = chats.create();
    const b = chats.create();
    chats.send(a.id, 'one');
    expect(() => chats.send(a.id, 'two')).toThrow(/still being written/);
    expect(() => chats.send(b.id, 'two')).toThrow(/Another chat/);
    expect(() => chats.update(a.id, { title: 'x' })).toThrow(/Wait for the answer/);
    inference.to?.onSettled({ failure: { failure: 'CONTEXT_OVERFLOW', message: 'Too long.' } });
    expect(chats.get(a.id).messages.at(-1)?.error).toBe('Too long.');
    inference.apiFull = true;
    expect(() => chats.send(b.id, 'x')).toThrow(/local API is answering/);
    inference.apiFull = false;
    inference.model = null;
    expect(() => chats.send(b.id, 'x')).toThrow(/Load a model/);
  });

  it('stops its own answer only, keeps a crashed answer with a way on, and regenerates from the question', async () => {
    const { inference, chats } = setup();
    const c = chats.create();
    chats.send(c.id, 'Why?');
    expect(await chats.stop('other')).toEqual({ stopped: false });
    expect(await chats.stop(c.id)).toEqual({ stopped: true });
    expect(inference.stopped).toEqual(['req-1']);
    inference.to?.onToken('Because', 1);
    inference.to?.onSettled({ message: 'The inference host stopped.', crashed: true });
    const after = chats.get(c.id).messages.at(-1);
    expect(after).toMatchObject({ text: 'Because', error: expect.stringMatching(/answer so far is kept/) });
    chats.regenerate(c.id);
    expect(inference.asks[1]).toMatchObject({ prompt: 'Why?', history: [] });
  });
});
