/** The chat request as node-llama-cpp gets it, planned without a model: tools, the forced call, the history. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING } from '../../../src-main/contract/chat';
import type { HostGenerateRequest } from '../../../src-main/inference/host-protocol';
import { chatRequestPlan, paramsSchema, parsedArguments } from '../../../src-main/inference/host/chat-request';

const weather = { name: 'weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const time = { name: 'time', parameters: { $schema: 'http://json-schema.org/draft-07/schema#', title: 'T', type: 'object' } };
const request = (extra: Partial<HostGenerateRequest>): HostGenerateRequest => ({
  requestId: 'r1',
  systemPrompt: 'Be brief.',
  history: [],
  prompt: 'Hello',
  sampling: DEFAULT_SAMPLING,
  ...extra,
});

describe('chat request plan', () => {
  it('keeps the system prompt, earlier turns with their function calls and results, then the prompt', () => {
    const plan = chatRequestPlan(
      request({
        history: [
          { role: 'user', text: 'Weather in Oslo?' },
          { role: 'assistant', text: '', calls: [{ name: 'weather', arguments: '{"city":"Oslo"}', result: '3°C' }] },
        ],
      }),
    );
    if ('failure' in plan) throw new Error(plan.message);
    expect(plan.forced).toBeNull();
    expect(plan.tools).toBeUndefined();
    expect(plan.history).toEqual([
      { type: 'system', text: 'Be brief.' },
      { type: 'user', text: 'Weather in Oslo?' },
      { type: 'model', response: [{ type: 'functionCall', name: 'weather', params: { city: 'Oslo' }, result: '3°C' }] },
      { type: 'user', text: 'Hello' },
    ]);
  });

  it('continues the assistant turn when the prompt is null (after tool results), and drops an empty system prompt', () => {
    const plan = chatRequestPlan(request({ systemPrompt: '  ', prompt: null, history: [{ role: 'user', text: 'x' }] }));
    if ('failure' in plan) throw new Error(plan.message);
    expect(plan.history).toEqual([{ type: 'user', text: 'x' }]);
  });

  it('forces a named function or any function, and tells the model how to answer', () => {
    const named = chatRequestPlan(request({ tools: [weather, time], toolChoice: { name: 'time' } }));
    if ('failure' in named) throw new Error(named.message);
    expect(named.forced?.map((t) => t.name)).toEqual(['time']);
    expect(named.systemPrompt).toMatch(/^Be brief\.\n\nYou must call one of these functions[\s\S]*- time/);
    const any = chatRequestPlan(request({ tools: [weather, time], toolChoice: 'required' }));
    if ('failure' in any) throw new Error(any.message);
    expect(any.forced?.map((t) => t.name)).toEqual(['weather', 'time']);
    const auto = chatRequestPlan(request({ tools: [weather], toolChoice: 'auto' }));
    if ('failure' in auto) throw new Error(auto.message);
    expect(auto.forced).toBeNull();
    expect(auto.systemPrompt).toBe('Be brief.');
  });

  it('refuses a tool_choice naming a function that is not offered', () => {
    expect(chatRequestPlan(request({ tools: [weather], toolChoice: { name: 'nope' } }))).toMatchObject({ failure: 'VALIDATION_FAILED' });
  });

  it('reads arguments back as JSON when they are, as text when not; strips what GBNF has no use for', () => {
    expect(parsedArguments('{"a":1}')).toEqual({ a: 1 });
    expect(parsedArguments('not json')).toBe('not json');
    expect(paramsSchema(time)).toEqual({ type: 'object', properties: {} });
    expect(paramsSchema({ name: 'x' })).toEqual({ type: 'object', properties: {} });
    expect(paramsSchema(weather)).toEqual(weather.parameters);
  });
});
