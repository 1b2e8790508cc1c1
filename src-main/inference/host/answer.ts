/**
 * What every answer of the inference host shares: the failures it reports (in words, never raw
 * file bytes), the backend name, and one answer's sampling options and clock (chat answers and raw
 * completions alike).
 */
import type { Llama } from 'node-llama-cpp';
import type { AnswerStats, StopReason } from '../../contract/chat';
import type { GpuBackend } from '../../contract/inference';
import type { HostFailure, HostSampling, ParentFunctions } from '../host-protocol';

export function backendOf(llama: Llama): GpuBackend {
  return llama.gpu === false ? 'cpu' : llama.gpu;
}

export function failure(kind: HostFailure['failure'], message: string): HostFailure {
  return { failure: kind, message };
}

/**
 * An error's message in words: llama.cpp and node-llama-cpp quote raw file bytes ("Invalid GGUF
 * magic \"\u0000\u0000…\""), which show as boxes; control and replacement characters are dropped.
 */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g, '')
      .replace(/""/g, '(unreadable bytes)')
      .slice(0, 500)
  );
}

/**
 * One answer's sampling options and its clock, shared by chat answers and raw completions: the
 * options node-llama-cpp takes, token counting for the stream, and the stats at the end.
 */
export class Answer {
  readonly abort = new AbortController();
  readonly #started = performance.now();
  #firstAt: number | null = null;
  tokens = 0;

  constructor(
    readonly requestId: string,
    readonly parent: ParentFunctions,
  ) {}

  options(s: HostSampling, stop: string[] | undefined) {
    return {
      signal: this.abort.signal,
      stopOnAbortSignal: true,
      maxTokens: s.maxTokens,
      temperature: s.temperature,
      topP: s.topP,
      topK: s.topK,
      minP: s.minP,
      ...(s.seed === null ? {} : { seed: s.seed }),
      repeatPenalty:
        s.repeatPenalty === 1 && !s.frequencyPenalty && !s.presencePenalty
          ? (false as const)
          : {
              penalty: s.repeatPenalty,
              ...(s.frequencyPenalty ? { frequencyPenalty: s.frequencyPenalty } : {}),
              ...(s.presencePenalty ? { presencePenalty: s.presencePenalty } : {}),
            },
      ...(stop?.length ? { customStopTriggers: stop } : {}),
      onToken: (t: readonly unknown[]) => {
        this.#firstAt ??= performance.now();
        this.tokens += t.length;
      },
      onTextChunk: (text: string) => this.parent.token(this.requestId, text, this.tokens),
    };
  }

  stats(reason: string, metered: number, contextUsed: number, contextSize: number): AnswerStats {
    const ended = performance.now();
    // onToken misses tokens node-llama-cpp holds back (an unfinished UTF-8 sequence, a possible
    // stop string) and then drops at the end; the sequence's meter counts every generated token.
    const tokens = Math.max(this.tokens, metered);
    const decodeMs = this.#firstAt === null ? 0 : ended - this.#firstAt;
    const stopReason: StopReason = reason === 'abort' ? 'stopped' : reason === 'maxTokens' ? 'maxTokens' : 'end';
    return {
      tokens,
      tokensPerSecond: tokens > 1 && decodeMs > 0 ? ((tokens - 1) * 1000) / decodeMs : 0,
      timeToFirstTokenMs: this.#firstAt === null ? 0 : this.#firstAt - this.#started,
      totalMs: ended - this.#started,
      stopReason,
      contextUsed,
      contextSize,
    };
  }
}
