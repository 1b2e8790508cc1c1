/**
 * Conversations in the renderer: the list, one conversation, and what can be done to it. Core events
 * flow straight into the query cache; answers to changes land there too.
 */
import { useEffect } from 'react';
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Conversation, Sampling } from '../../src-main/contract/chat';
import { useApi, useApiQuery } from './context';

export const conversationKey = (id: string) => ['chat.get', { id }] as const;

/** Saved conversations, newest first; with a search, those whose text matches. */
export function useConversations(search = '') {
  return useApiQuery('chat.list', search ? { search } : {});
}

/** One conversation; none asked for while `id` is null (no chat open yet). */
export function useConversation(id: string | null) {
  return useApiQuery('chat.get', { id: id ?? '' }, { enabled: id !== null });
}

function putConversation(client: QueryClient, c: Conversation): void {
  client.setQueryData(conversationKey(c.id), c);
}

/**
 * "New chat": an empty conversation already there is reused (clicking twice does not pile up
 * empty chats); otherwise one is created. Answers with its id.
 */
export function useOpenEmptyChat() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (): Promise<string> => {
      const list = await client.fetchQuery({ queryKey: ['chat.list', {}], queryFn: () => api.call('chat.list', {}) });
      const empty = list.find((c) => c.messages === 0);
      if (empty) return empty.id;
      const c = await api.call('chat.create', {});
      putConversation(client, c);
      void client.invalidateQueries({ queryKey: ['chat.list'] });
      return c.id;
    },
  });
}

export function useUpdateConversation(id: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: { title?: string; systemPrompt?: string; sampling?: Sampling }) => api.call('chat.update', { id, ...patch }),
    onSuccess: (c) => putConversation(client, c),
  });
}

export function useDeleteConversation(id: string) {
  const api = useApi();
  return useMutation({ mutationFn: () => api.call('chat.delete', { id }) });
}

/** Sends a question (or an edited one, replacing what followed it); the answer streams in by events. */
export function useSendMessage(id: string) {
  const api = useApi();
  return useMutation({ mutationFn: (m: { text: string; editFrom?: string }) => api.call('chat.send', { id, ...m }) });
}

export function useRegenerate(id: string) {
  const api = useApi();
  return useMutation({ mutationFn: () => api.call('chat.regenerate', { id }) });
}

export function useStopAnswer(id: string) {
  const api = useApi();
  return useMutation({ mutationFn: () => api.call('chat.stop', { id }) });
}

/** Streamed text gathered per message id, appended to those messages. */
export function applyDeltas(c: Conversation, deltas: ReadonlyMap<string, string>): Conversation {
  return { ...c, messages: c.messages.map((m) => (deltas.has(m.id) ? { ...m, text: m.text + (deltas.get(m.id) ?? '') } : m)) };
}

/**
 * Keeps conversations live: whole ones from `chat.changed`, streamed text from `chat.stream`.
 * Deltas are gathered and applied once per animation frame, so a fast model does not re-render
 * the page for every token.
 */
export function useChatEvents() {
  const api = useApi();
  const client = useQueryClient();
  useEffect(() => {
    const pending = new Map<string, Map<string, string>>();
    let frame: number | null = null;
    const flush = () => {
      frame = null;
      for (const [conversationId, messages] of pending) {
        client.setQueryData<Conversation>(conversationKey(conversationId), (c) => (c ? applyDeltas(c, messages) : c));
      }
      pending.clear();
    };
    const offStream = api.on('chat.stream', (e) => {
      const forConversation = pending.get(e.conversationId) ?? new Map<string, string>();
      forConversation.set(e.messageId, (forConversation.get(e.messageId) ?? '') + e.delta);
      pending.set(e.conversationId, forConversation);
      frame ??= requestAnimationFrame(flush);
    });
    const offChanged = api.on('chat.changed', (c) => {
      pending.delete(c.id);
      putConversation(client, c);
      void client.invalidateQueries({ queryKey: ['chat.list'] });
    });
    const offDeleted = api.on('chat.deleted', ({ id }) => {
      client.removeQueries({ queryKey: conversationKey(id) });
      void client.invalidateQueries({ queryKey: ['chat.list'] });
    });
    return () => {
      offStream();
      offChanged();
      offDeleted();
      if (frame !== null) cancelAnimationFrame(frame);
    };
  }, [api, client]);
}

/** "Chat with this model" from elsewhere (the Library): the Chat page selects it and loads it once. */
let requestedModel: string | null = null;
export const chatIntent = {
  request(key: string) {
    requestedModel = key;
  },
  peek(): string | null {
    return requestedModel;
  },
  take(): string | null {
    const key = requestedModel;
    requestedModel = null;
    return key;
  },
};
