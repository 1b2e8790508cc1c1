/**
 * The app's chats: conversations kept in the data folder, and the one answer being written. The
 * model, its host process and its sequences belong to the inference service; a chat asks it for
 * room (the local API may hold every sequence), starts its answer there, and keeps the message,
 * the stream events and the saved conversation here.
 */
import { randomUUID } from 'node:crypto';
import type { EventName, EventPayload } from '../contract/api';
import type { ChatMessage, Conversation, ConversationSummary, Sampling } from '../contract/chat';
import { ApiError } from '../contract/errors';
import type { HistoryItem } from '../inference/host-protocol';
import type { ChatAnswerOutcome, InferenceService } from '../inference/service';
import { ConversationStore, titleFrom } from './conversations';

export interface ChatServiceOptions {
  dataDir: string;
  /** What a chat needs of the inference service: the loaded model, room for an answer, the answer. */
  inference: Pick<InferenceService, 'loadedModel' | 'assertChatRoom' | 'answerChat' | 'stopChat'>;
  emit: <K extends EventName>(name: K, payload: EventPayload<K>) => void;
}

export class ChatService {
  readonly conversations: ConversationStore;
  #o: ChatServiceOptions;
  /** The answer being written: its conversation (live, with the growing message) and request. */
  #live: { conversation: Conversation; message: ChatMessage; requestId: string } | null = null;

  constructor(opts: ChatServiceOptions) {
    this.#o = opts;
    this.conversations = new ConversationStore(opts.dataDir);
  }

  list(search?: string): ConversationSummary[] {
    return this.conversations.list(search);
  }

  get(id: string): Conversation {
    const live = this.#live;
    if (live?.conversation.id === id) return structuredClone(live.conversation);
    return this.conversations.get(id);
  }

  create(systemPrompt?: string): Conversation {
    const c = this.conversations.create(systemPrompt);
    this.#o.emit('chat.changed', c);
    return c;
  }

  update(id: string, patch: { title?: string; systemPrompt?: string; sampling?: Sampling }): Conversation {
    if (this.#live?.conversation.id === id) throw new ApiError('BUSY', 'Wait for the answer to finish (or stop it) before changing this chat.');
    const c = this.conversations.get(id);
    if (patch.title !== undefined) c.title = patch.title;
    if (patch.systemPrompt !== undefined) c.systemPrompt = patch.systemPrompt;
    if (patch.sampling !== undefined) c.sampling = patch.sampling;
    c.updatedAt = new Date().toISOString();
    this.conversations.save(c);
    this.#o.emit('chat.changed', c);
    return c;
  }

  delete(id: string): void {
    if (this.#live?.conversation.id === id) void this.stop(id);
    this.conversations.delete(id);
    this.#o.emit('chat.deleted', { id });
  }

  send(id: string, text: string, editFrom?: string): Conversation {
    const c = this.#prepare(id);
    if (editFrom) {
      const at = c.messages.findIndex((m) => m.id === editFrom);
      if (at < 0 || c.messages[at]?.role !== 'user') throw new ApiError('NOT_FOUND', 'That message is no longer in this chat.');
      c.messages = c.messages.slice(0, at);
    }
    if (!c.messages.length && c.title === 'New chat') c.title = titleFrom(text);
    c.messages.push({ id: randomUUID(), role: 'user', text, createdAt: new Date().toISOString() });
    return this.#answer(c);
  }

  regenerate(id: string): Conversation {
    const c = this.#prepare(id);
    while (c.messages.at(-1)?.role === 'assistant') c.messages.pop();
    if (!c.messages.length) throw new ApiError('NOT_FOUND', 'There is no question to answer again.');
    return this.#answer(c);
  }

  async stop(id: string): Promise<{ stopped: boolean }> {
    const live = this.#live;
    if (!live || live.conversation.id !== id) return { stopped: false };
    this.#o.inference.stopChat(live.requestId);
    return { stopped: true };
  }

  #prepare(id: string): Conversation {
    this.#o.inference.assertChatRoom();
    if (this.#live) {
      throw new ApiError(
        'BUSY',
        this.#live.conversation.id === id ? 'An answer is still being written; stop it first.' : 'Another chat is being answered; wait for it or stop it.',
      );
    }
    if (!this.#o.inference.loadedModel()) throw new ApiError('NO_MODEL', 'Load a model to chat: pick one above.');
    return this.conversations.get(id);
  }

  /** Starts the answer to the conversation's last user message; returns at once with a pending reply. */
  #answer(c: Conversation): Conversation {
    const model = this.#o.inference.loadedModel();
    if (!model) throw new ApiError('NO_MODEL', 'Load a model to chat.');
    const prompt = c.messages.at(-1) as ChatMessage;
    const history: HistoryItem[] = c.messages
      .slice(0, -1)
      .filter((m) => !m.error || m.text)
      .map((m) => ({ role: m.role, text: m.text }));
    const message: ChatMessage = { id: randomUUID(), role: 'assistant', text: '', createdAt: new Date().toISOString(), model: model.name, pending: true };
    c.messages.push(message);
    c.modelKey = model.key;
    c.modelName = model.name;
    c.updatedAt = message.createdAt;
    this.conversations.save(c);
    const snapshot = structuredClone(c);
    const requestId = this.#o.inference.answerChat(
      { conversationId: c.id, systemPrompt: c.systemPrompt, history, prompt: prompt.text, sampling: c.sampling },
      {
        onToken: (delta, tokens) => {
          message.text += delta;
          this.#o.emit('chat.stream', { conversationId: c.id, messageId: message.id, delta, tokens });
        },
        onSettled: (outcome) => this.#settle(c, message, outcome),
      },
    );
    this.#live = { conversation: c, message, requestId };
    this.#o.emit('chat.changed', snapshot);
    return snapshot;
  }

  #settle(c: Conversation, message: ChatMessage, outcome: ChatAnswerOutcome): void {
    if ('result' in outcome) {
      message.text = outcome.result.text;
      message.stats = outcome.result.stats;
    } else if ('failure' in outcome) {
      message.error = outcome.failure.message;
    } else {
      message.error = outcome.crashed
        ? `${outcome.message} The answer so far is kept; load the model again to go on.`
        : `The answer failed: ${outcome.message}`;
    }
    delete message.pending;
    c.updatedAt = new Date().toISOString();
    this.#live = null;
    try {
      this.conversations.save(c);
    } catch (error) {
      message.error = `The answer could not be saved: ${(error as Error).message}`;
    }
    this.#o.emit('chat.changed', structuredClone(c));
  }
}
