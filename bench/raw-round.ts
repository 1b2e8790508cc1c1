/**
 * One raw node-llama-cpp answer, timed where each token arrives: the baseline bench/inference.ts
 * and bench/api.ts compare Hubcap against, with the same prompt and sampling in both.
 */
import type { LlamaChatSession } from 'node-llama-cpp';

export const SYSTEM = 'You are a helpful assistant.';
export const PROMPT = 'Tell me a long story about the sea, the wind and the ships.';
export const SAMPLING = { temperature: 0.8, topP: 0.95, topK: 40, minP: 0.05, repeatPenalty: 1.1, seed: 42 };

export type Round = { tps: number; ttft: number; tokens: number };

/** Decode speed (tokens after the first over the time after the first) and time to first token. */
export async function rawRound(session: LlamaChatSession, maxTokens: number): Promise<Round> {
  session.setChatHistory([{ type: 'system', text: SYSTEM }]);
  let first = 0;
  let last = 0;
  let n = 0;
  const start = performance.now();
  await session.promptWithMeta(PROMPT, {
    ...SAMPLING,
    maxTokens,
    repeatPenalty: { penalty: SAMPLING.repeatPenalty },
    onToken: (t) => {
      last = performance.now();
      if (!first) first = last;
      n += t.length;
    },
  });
  return { tps: ((n - 1) * 1000) / (last - first), ttft: first - start, tokens: n };
}
