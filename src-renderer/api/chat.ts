/** Chat and inference state in the renderer: core events flow straight into the query cache. */
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Conversation } from '../../src-main/contract/chat';
import { useApi, useApiQuery, useEventIntoQuery } from './context';

/** The loaded model, loading progress and problems, kept live by `inference.changed`. */
export function useInferenceStatus() {
  useEventIntoQuery('inference.changed', 'inference.status');
  return useApiQuery('inference.status', {});
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
        client.setQueryData<Conversation>(['chat.get', { id: conversationId }], (c) =>
          c ? { ...c, messages: c.messages.map((m) => (messages.has(m.id) ? { ...m, text: m.text + (messages.get(m.id) ?? '') } : m)) } : c,
        );
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
      client.setQueryData(['chat.get', { id: c.id }], c);
      void client.invalidateQueries({ queryKey: ['chat.list'] });
    });
    const offDeleted = api.on('chat.deleted', ({ id }) => {
      client.removeQueries({ queryKey: ['chat.get', { id }] });
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
