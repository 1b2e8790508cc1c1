/** Chats with a local model: conversations, answers and their stream, and the chat requests. */
import { z } from 'zod';
import { event, request } from './request';

export interface Sampling {
  temperature: number;
  topP: number;
  topK: number;
  minP: number;
  repeatPenalty: number;
  /** null: a fresh random seed per answer. */
  seed: number | null;
  maxTokens: number;
}

/** llama.cpp's own defaults, except a bounded answer length. */
export const DEFAULT_SAMPLING: Sampling = { temperature: 0.8, topP: 0.95, topK: 40, minP: 0.05, repeatPenalty: 1.1, seed: null, maxTokens: 1024 };

export type StopReason = 'end' | 'maxTokens' | 'stopped' | 'error';

export interface AnswerStats {
  tokens: number;
  /** Decode speed: tokens after the first over the time after the first. */
  tokensPerSecond: number;
  timeToFirstTokenMs: number;
  totalMs: number;
  stopReason: StopReason;
  contextUsed: number;
  contextSize: number;
}

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  createdAt: string;
  /** Assistant messages: the model that wrote it. */
  model?: string;
  stats?: AnswerStats;
  /** Assistant messages: set while streaming. */
  pending?: boolean;
  error?: string;
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  modelKey: string | null;
  modelName: string | null;
  systemPrompt: string;
  sampling: Sampling;
  messages: ChatMessage[];
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: string;
  modelName: string | null;
  messages: number;
  preview: string;
}

export interface ChatStreamEvent {
  conversationId: string;
  messageId: string;
  delta: string;
  tokens: number;
}

// ---------- requests and events ----------

/** Each sampling setting's bounds, once: the schema below and the chat settings panel. */
export const SAMPLING_BOUNDS = {
  temperature: { min: 0, max: 5 },
  topP: { min: 0, max: 1 },
  topK: { min: 0, max: 1000 },
  minP: { min: 0, max: 1 },
  repeatPenalty: { min: 0.5, max: 3 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  maxTokens: { min: 1, max: 131_072 },
} as const;

const within = (b: { min: number; max: number }) => z.number().min(b.min).max(b.max);

export const SamplingInput = z
  .object({
    temperature: within(SAMPLING_BOUNDS.temperature),
    topP: within(SAMPLING_BOUNDS.topP),
    topK: within(SAMPLING_BOUNDS.topK).int(),
    minP: within(SAMPLING_BOUNDS.minP),
    repeatPenalty: within(SAMPLING_BOUNDS.repeatPenalty),
    seed: within(SAMPLING_BOUNDS.seed).int().nullable(),
    maxTokens: within(SAMPLING_BOUNDS.maxTokens).int(),
  })
  .strict();

const ConversationId = z.uuid('Not a conversation id.');
const MessageId = z.uuid('Not a message id.');

export const chatRequests = {
  'chat.list': request<ConversationSummary[]>()(z.object({ search: z.string().max(200).optional() }).strict()),
  'chat.get': request<Conversation>()(z.object({ id: ConversationId }).strict()),
  'chat.create': request<Conversation>()(z.object({ systemPrompt: z.string().max(32_768).optional() }).strict()),
  'chat.update': request<Conversation>()(
    z
      .object({
        id: ConversationId,
        title: z.string().trim().min(1, 'Enter a title.').max(200).optional(),
        systemPrompt: z.string().max(32_768).optional(),
        sampling: SamplingInput.optional(),
      })
      .strict(),
  ),
  'chat.delete': request<{ deleted: true }>()(z.object({ id: ConversationId }).strict()),
  /** Ask the loaded model. `editFrom`: replace that user message (and all after it) with this text. */
  'chat.send': request<Conversation>()(
    z.object({ id: ConversationId, text: z.string().trim().min(1, 'Type a message.').max(262_144), editFrom: MessageId.optional() }).strict(),
  ),
  'chat.regenerate': request<Conversation>()(z.object({ id: ConversationId }).strict()),
  'chat.stop': request<{ stopped: boolean }>()(z.object({ id: ConversationId }).strict()),
} as const;

export const chatEvents = {
  'chat.stream': event<ChatStreamEvent>(),
  'chat.changed': event<Conversation>(),
  'chat.deleted': event<{ id: string }>(),
} as const;
