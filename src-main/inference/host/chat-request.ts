/**
 * A chat request turned into what node-llama-cpp takes, before any model is touched: which tools
 * the model may call and which one it must, the system prompt (with the forced-call instructions),
 * and the history with earlier function calls and their results. Pure, so it is tested without a model.
 */
import type { ChatHistoryItem, ChatModelResponse } from 'node-llama-cpp';
import type { HostFailure, HostGenerateRequest, ToolSpec } from '../host-protocol';
import { failure } from './answer';

/** A function call's arguments as the model wrote them, parsed back for the chat template (raw text when they are not JSON). */
export function parsedArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * What the model is told of the functions when it must call one: the chat templates' own function
 * syntax cannot be forced (node-llama-cpp grammars and functions exclude each other), so a forced
 * call is a JSON object under a grammar, as llama.cpp's server does for its generic tool format.
 */
export function forcedToolsPrompt(tools: ToolSpec[]): string {
  const lines = tools.map((t) => `- ${t.name}${t.description ? `: ${t.description}` : ''}\n  parameters: ${JSON.stringify(t.parameters ?? {})}`);
  return `You must call one of these functions. Answer only with a JSON object {"name": <function name>, "arguments": <its parameters>}.\n${lines.join('\n')}`;
}

/** OpenAI's parameter schema with what GBNF has no use for taken out ($schema, titles), and "no parameters" made explicit. */
export function paramsSchema(t: ToolSpec): Record<string, unknown> {
  const { $schema: _s, title: _t, ...rest } = t.parameters ?? {};
  if (rest.type === 'object' && rest.properties === undefined) return { ...rest, properties: {} };
  return Object.keys(rest).length ? rest : { type: 'object', properties: {} };
}

export interface ChatRequestPlan {
  /** The tools offered, or undefined for none. */
  tools: ToolSpec[] | undefined;
  /** The tools one of which must be called (tool_choice "required" or a named function), or null. */
  forced: ToolSpec[] | null;
  systemPrompt: string;
  history: ChatHistoryItem[];
}

export function chatRequestPlan(req: HostGenerateRequest): ChatRequestPlan | HostFailure {
  const tools = req.tools?.length ? req.tools : undefined;
  const choice = req.toolChoice;
  const forced = tools && choice && choice !== 'auto' ? (typeof choice === 'object' ? tools.filter((t) => t.name === choice.name) : tools) : null;
  if (forced && forced.length === 0) return failure('VALIDATION_FAILED', 'tool_choice names a function that is not in tools.');
  const systemPrompt = forced ? [req.systemPrompt, forcedToolsPrompt(forced)].filter((x) => x.trim()).join('\n\n') : req.systemPrompt;
  const history: ChatHistoryItem[] = [];
  if (systemPrompt.trim()) history.push({ type: 'system', text: systemPrompt });
  for (const h of req.history) {
    if (h.role === 'user') {
      history.push({ type: 'user', text: h.text });
      continue;
    }
    const response: ChatModelResponse['response'] = h.text ? [h.text] : [];
    for (const c of h.calls ?? []) response.push({ type: 'functionCall', name: c.name, params: parsedArguments(c.arguments), result: c.result });
    history.push({ type: 'model', response });
  }
  if (req.prompt !== null) history.push({ type: 'user', text: req.prompt });
  return { tools, forced, systemPrompt, history };
}
