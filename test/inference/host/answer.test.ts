/** One answer's options and clock, and errors in words. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING } from '../../../src-main/contract/chat';
import { Answer, errorText, failure } from '../../../src-main/inference/host/answer';

describe('answer', () => {
  it('streams text with the running token count and times the answer', () => {
    const sent: [string, string, number][] = [];
    const answer = new Answer('r1', { token: (id, text, n) => sent.push([id, text, n]), loadProgress: () => undefined });
    const options = answer.options({ ...DEFAULT_SAMPLING, seed: 7 }, ['</s>']);
    expect(options).toMatchObject({ maxTokens: 1024, seed: 7, customStopTriggers: ['</s>'], repeatPenalty: { penalty: 1.1 } });
    options.onToken([1, 2]);
    options.onTextChunk('Hi');
    options.onToken([3]);
    expect(sent).toEqual([['r1', 'Hi', 2]]);
    const stats = answer.stats('maxTokens', 5, 40, 512);
    // The meter saw tokens onToken missed: it wins.
    expect(stats).toMatchObject({ tokens: 5, stopReason: 'maxTokens', contextUsed: 40, contextSize: 512 });
    expect(answer.stats('abort', 0, 0, 512).stopReason).toBe('stopped');
  });

  it('turns the penalty off when nothing asks for one', () => {
    const answer = new Answer('r', { token: () => undefined, loadProgress: () => undefined });
    expect(answer.options({ ...DEFAULT_SAMPLING, repeatPenalty: 1 }, undefined).repeatPenalty).toBe(false);
    expect(answer.options({ ...DEFAULT_SAMPLING, repeatPenalty: 1, presencePenalty: 0.5 }, undefined).repeatPenalty).toEqual({
      penalty: 1,
      presencePenalty: 0.5,
    });
  });

  it('says what failed in words, without raw file bytes', () => {
    expect(errorText(new Error('Invalid GGUF magic "\u0000\u0001\ufffd"'))).toBe('Invalid GGUF magic (unreadable bytes)');
    expect(errorText('x'.repeat(900))).toHaveLength(500);
    expect(failure('NO_MODEL', 'No model is loaded.')).toEqual({ failure: 'NO_MODEL', message: 'No model is loaded.' });
  });
});
