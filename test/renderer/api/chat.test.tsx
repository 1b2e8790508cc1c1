// @vitest-environment happy-dom
/** Conversations in the renderer: streamed text gathered per frame, whole conversations from events. */
import { describe, expect, it } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import { applyDeltas, conversationKey, useChatEvents, useUpdateConversation } from '../../../src-renderer/api/chat';
import { DEFAULT_SAMPLING, type Conversation } from '../../../src-main/contract/chat';
import { standIn } from '../harness';

const ID = '11111111-1111-4111-8111-111111111111';
function conversation(over: Partial<Conversation> = {}): Conversation {
  return {
    id: ID,
    title: 'Hi',
    systemPrompt: '',
    sampling: DEFAULT_SAMPLING,
    modelKey: null,
    modelName: null,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    messages: [
      { id: 'q', role: 'user', text: 'Hi', createdAt: '2026-12-01T00:00:00.000Z' },
      { id: 'a', role: 'assistant', text: '', createdAt: '2026-12-01T00:00:00.000Z', pending: true },
    ],
    ...over,
  };
}

describe('applyDeltas', () => {
  it('appends streamed text to its own message only', () => {
    const c = applyDeltas(conversation(), new Map([['a', 'Hello']]));
    expect(c.messages.map((m) => m.text)).toEqual(['Hi', 'Hello']);
  });
});

describe('useChatEvents', () => {
  it('applies many deltas in one update, and a whole conversation replaces what was streamed', async () => {
    const core = standIn({});
    core.client.setQueryData(conversationKey(ID), conversation());
    renderHook(() => useChatEvents(), { wrapper: core.wrapper });
    const text = () => core.client.getQueryData<Conversation>(conversationKey(ID))?.messages[1]?.text;
    act(() => {
      for (const delta of ['He', 'll', 'o']) core.emit('chat.stream', { conversationId: ID, messageId: 'a', delta, tokens: 1 });
    });
    // Nothing yet: deltas wait for the next animation frame.
    expect(text()).toBe('');
    await waitFor(() => expect(text()).toBe('Hello'));
    const done = conversation();
    done.messages[1] = { id: 'a', role: 'assistant', text: 'Hello there', createdAt: done.createdAt };
    act(() => core.emit('chat.changed', done));
    await waitFor(() => expect(text()).toBe('Hello there'));
  });

  it('forgets a deleted conversation', () => {
    const core = standIn({});
    core.client.setQueryData(conversationKey(ID), conversation());
    renderHook(() => useChatEvents(), { wrapper: core.wrapper });
    act(() => core.emit('chat.deleted', { id: ID }));
    expect(core.client.getQueryData(conversationKey(ID))).toBeUndefined();
  });
});

describe('useUpdateConversation', () => {
  it('lands the answer in the cache, so settings show what was saved at once', async () => {
    const core = standIn({ 'chat.update': (input) => conversation({ ...(input as Partial<Conversation>), updatedAt: '2026-12-01T00:00:01.000Z' }) });
    const { result } = renderHook(() => useUpdateConversation(ID), { wrapper: core.wrapper });
    await act(() => result.current.mutateAsync({ sampling: { ...DEFAULT_SAMPLING, maxTokens: 8 } }));
    expect(core.client.getQueryData<Conversation>(conversationKey(ID))?.sampling.maxTokens).toBe(8);
  });
});
