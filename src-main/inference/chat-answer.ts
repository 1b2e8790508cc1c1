/** What the app chat (chat/) asks of the inference service for one answer, and how it is told the end. */
import type { Sampling } from '../contract/chat';
import type { HistoryItem, HostFailure, HostGenerateResult } from './host-protocol';

/** How the app chat's answer ended: the host's result, its refusal, or an error (a crash among them). */
export type ChatAnswerOutcome = { result: HostGenerateResult } | { failure: HostFailure } | { message: string; crashed: boolean };

/** The app chat's answer, as the chat slice asks for it. */
export interface ChatAsk {
  conversationId: string;
  systemPrompt: string;
  history: HistoryItem[];
  prompt: string;
  sampling: Sampling;
}
