/**
 * OpenAI's chat completion request, as clients send it: validated and bounded with zod (unknown
 * fields are ignored, wrong types are a 400 naming the field), then turned into what the
 * inference host runs. `presence_penalty` and `frequency_penalty` map onto node-llama-cpp's repeat
 * penalty (the same formula as OpenAI's; negative values, which reward repetition, are ignored).
 * Parameters it has no equivalent for are accepted and ignored: `logit_bias`, `logprobs`, `user`.
 */
import { z } from 'zod';
import { DEFAULT_SAMPLING } from '../contract/chat';
import type { HistoryItem, HostGenerateRequest, HostSampling, ToolCallRecord, ToolChoice, ToolSpec } from '../inference/host-protocol';

export const LIMITS = {
  messages: 1000,
  /** Characters of one message and of the whole prompt: far past any context, far below memory trouble. */
  messageChars: 512 * 1024,
  promptChars: 2 * 1024 * 1024,
  maxTokens: 32_768,
  defaultMaxTokens: 4096,
  stops: 16,
};

const Part = z.looseObject({ type: z.string().max(64), text: z.string().max(LIMITS.messageChars).optional() });
const Content = z.union([z.string().max(LIMITS.messageChars), z.array(Part).max(256)]).nullish();

const JsonObject = z.record(z.string(), z.unknown());

/** OpenAI's rule for function names, which chat templates and GBNF rules also rely on. */
const FunctionName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'a function name is 1 to 64 letters, digits, "_" or "-"');

const MessageToolCall = z.looseObject({
  id: z.string().min(1).max(256),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: FunctionName, arguments: z.string().max(LIMITS.messageChars) }),
});

const Message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: Content,
  name: z.string().max(256).optional(),
  tool_calls: z.array(MessageToolCall).max(128).nullish(),
  tool_call_id: z.string().max(256).optional(),
});

const Tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: FunctionName,
    description: z
      .string()
      .max(16 * 1024)
      .optional(),
    // OpenAI's rule: the parameters are a JSON schema of an object (a function takes named arguments).
    parameters: JsonObject.refine((p) => p.type === undefined || p.type === 'object', 'the parameters schema must be of type "object"').optional(),
    strict: z.boolean().nullish(),
  }),
});

const ToolChoiceField = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: FunctionName }) }),
]);

const ResponseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({ name: z.string().max(256).optional(), schema: JsonObject, strict: z.boolean().nullish() }),
  }),
]);

const count = (max: number) => z.number().int().min(1).max(max).nullish();

/** The sampling fields chat and text completions share. */
const SAMPLING_FIELDS = {
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().min(0).max(1000).nullish(),
  min_p: z.number().min(0).max(1).nullish(),
  repeat_penalty: z.number().min(0).max(10).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string().max(256), z.array(z.string().min(1).max(256)).max(LIMITS.stops)]).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
};

type SamplingFields = { [K in keyof typeof SAMPLING_FIELDS]?: z.output<(typeof SAMPLING_FIELDS)[K]> };

function samplingFrom(req: SamplingFields, maxTokens: number): { sampling: HostSampling; stop: string[] } {
  if ((req.n ?? 1) > 1) throw new Unsupported('n > 1 is not supported: ask for one answer per request.', 'n');
  const stop = req.stop === null || req.stop === undefined ? [] : typeof req.stop === 'string' ? [req.stop] : req.stop;
  return {
    sampling: {
      temperature: req.temperature ?? DEFAULT_SAMPLING.temperature,
      topP: req.top_p ?? DEFAULT_SAMPLING.topP,
      topK: req.top_k ?? DEFAULT_SAMPLING.topK,
      minP: req.min_p ?? DEFAULT_SAMPLING.minP,
      // OpenAI clients expect no repeat penalty unless asked (they ask with presence/frequency penalties).
      repeatPenalty: req.repeat_penalty ?? 1,
      seed: req.seed ?? null,
      maxTokens,
      ...((req.frequency_penalty ?? 0) > 0 ? { frequencyPenalty: req.frequency_penalty as number } : {}),
      ...((req.presence_penalty ?? 0) > 0 ? { presencePenalty: req.presence_penalty as number } : {}),
    },
    stop: stop.filter((x) => x.length > 0),
  };
}

export const ChatRequest = z.looseObject({
  model: z.string().min(1).max(1024).optional(),
  messages: z.array(Message).min(1, 'messages must not be empty').max(LIMITS.messages),
  ...SAMPLING_FIELDS,
  max_tokens: count(LIMITS.maxTokens),
  max_completion_tokens: count(LIMITS.maxTokens),
  response_format: ResponseFormat.nullish(),
  tools: z.array(Tool).max(128).nullish(),
  tool_choice: ToolChoiceField.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  functions: z.array(z.unknown()).nullish(),
});
export type ChatRequest = z.output<typeof ChatRequest>;

/** A refusal of a request that parsed but asks for something this server does not do. */
export class Unsupported extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

function text(content: z.output<typeof Content>, at: string): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((p, i) => {
      if (p.type === 'text' && typeof p.text === 'string') return p.text;
      throw new Unsupported(`${at}.content[${i}] is of type "${p.type}": only text is supported by these models.`, `${at}.content`);
    })
    .join('');
}

/** The tools a request offers and how the model must use them (none when `tool_choice` is "none"). */
function toolsOf(req: ChatRequest): { tools: ToolSpec[]; toolChoice: ToolChoice; maxToolCalls?: number } | null {
  if (req.functions?.length) throw new Unsupported('The legacy "functions" field is not supported: send "tools".', 'functions');
  const tools = req.tools ?? [];
  const choice = req.tool_choice ?? 'auto';
  if (!tools.length) {
    if (choice !== 'none' && choice !== 'auto') throw new Unsupported('tool_choice asks for a tool call but no tools were given.', 'tool_choice');
    return null;
  }
  if (choice === 'none') return null;
  const names = new Set<string>();
  const specs = tools.map((t, i) => {
    if (names.has(t.function.name)) throw new Unsupported(`tools[${i}]: the function name "${t.function.name}" is used twice.`, `tools[${i}].function.name`);
    names.add(t.function.name);
    return {
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      ...(t.function.parameters ? { parameters: t.function.parameters } : {}),
    };
  });
  let toolChoice: ToolChoice = 'auto';
  if (choice === 'required') toolChoice = 'required';
  else if (typeof choice === 'object') {
    if (!names.has(choice.function.name)) throw new Unsupported(`tool_choice names "${choice.function.name}", which is not in tools.`, 'tool_choice');
    toolChoice = { name: choice.function.name };
  }
  return { tools: specs, toolChoice, ...(req.parallel_tool_calls === false ? { maxToolCalls: 1 } : {}) };
}

export function toHostRequest(req: ChatRequest): Omit<HostGenerateRequest, 'requestId'> {
  const { sampling, stop } = samplingFrom(req, req.max_completion_tokens ?? req.max_tokens ?? LIMITS.defaultMaxTokens);
  const tools = toolsOf(req);
  const system: string[] = [];
  const turns: HistoryItem[] = [];
  /** The calls of the last assistant turn, by id, waiting for their results. */
  let pending = new Map<string, ToolCallRecord & { answered: boolean }>();
  let chars = 0;
  req.messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (m.role === 'function') throw new Unsupported(`${at}: the legacy "function" role is not supported: send "tool" messages.`, `${at}.role`);
    const t = text(m.content, at);
    chars += t.length;
    if (m.role === 'system' || m.role === 'developer') system.push(t);
    else if (m.role === 'user') turns.push({ role: 'user', text: t });
    else if (m.role === 'assistant') {
      pending = new Map((m.tool_calls ?? []).map((c) => [c.id, { name: c.function.name, arguments: c.function.arguments, result: '', answered: false }]));
      turns.push({ role: 'assistant', text: t, ...(pending.size ? { calls: [...pending.values()] } : {}) });
    } else {
      const call = m.tool_call_id ? pending.get(m.tool_call_id) : [...pending.values()].find((c) => !c.answered);
      if (!call || call.answered) {
        throw new Unsupported(
          `${at} is a tool result for ${m.tool_call_id ? `"${m.tool_call_id.slice(0, 100)}"` : 'no call'}, which the assistant message before it did not make.`,
          `${at}.tool_call_id`,
        );
      }
      call.result = t;
      call.answered = true;
    }
  });
  if (chars > LIMITS.promptChars) throw new Unsupported(`The messages hold ${chars} characters; at most ${LIMITS.promptChars} are accepted.`, 'messages');
  const last = turns.at(-1);
  let prompt: string | null;
  if (last?.role === 'user') {
    turns.pop();
    prompt = last.text;
  } else if (last?.role === 'assistant' && last.calls?.length) {
    const missing = [...pending.entries()].find(([, c]) => !c.answered);
    if (missing) throw new Unsupported(`The tool call "${missing[0].slice(0, 100)}" has no result: send a "tool" message for each call.`, 'messages');
    prompt = null; // the model goes on from its calls' results
  } else {
    throw new Unsupported('The last message must be from the user (or tool results after the assistant called tools).', 'messages');
  }
  // The records the host gets carry no bookkeeping.
  const history = turns.map((h) =>
    h.role === 'assistant' && h.calls ? { ...h, calls: h.calls.map(({ name, arguments: args, result }) => ({ name, arguments: args, result })) } : h,
  );
  const rf = req.response_format;
  if (tools && rf && rf.type !== 'text') throw new Unsupported('response_format cannot be combined with tools: ask for one or the other.', 'response_format');
  return {
    systemPrompt: system.join('\n\n'),
    history,
    prompt,
    sampling,
    ...(stop.length ? { stop } : {}),
    ...(tools ?? {}),
    ...(rf?.type === 'json_object'
      ? { format: { type: 'json' as const } }
      : rf?.type === 'json_schema'
        ? { format: { type: 'json-schema' as const, schema: rf.json_schema.schema } }
        : {}),
  };
}

// ---------- /v1/completions and /v1/embeddings ----------

export const CompletionRequest = z.looseObject({
  model: z.string().min(1).max(1024).optional(),
  prompt: z.union([z.string().max(LIMITS.promptChars), z.array(z.string().max(LIMITS.promptChars)).min(1).max(1)]),
  ...SAMPLING_FIELDS,
  max_tokens: count(LIMITS.maxTokens),
  echo: z.boolean().nullish(),
  suffix: z.string().max(LIMITS.messageChars).nullish(),
});
export type CompletionRequest = z.output<typeof CompletionRequest>;

/** OpenAI's default length for a completion (16 tokens), kept: clients that want more say so. */
const COMPLETION_DEFAULT_TOKENS = 16;

export function toRawCompletion(req: CompletionRequest): { prompt: string; sampling: HostSampling; stop?: string[] } {
  const { sampling, stop } = samplingFrom(req, req.max_tokens ?? COMPLETION_DEFAULT_TOKENS);
  if (req.echo) throw new Unsupported('echo is not supported.', 'echo');
  if (req.suffix) throw new Unsupported('suffix (fill in the middle) is not supported.', 'suffix');
  const prompt = typeof req.prompt === 'string' ? req.prompt : (req.prompt[0] as string);
  return { prompt, sampling, ...(stop.length ? { stop } : {}) };
}

export const EmbeddingRequest = z.looseObject({
  model: z.string().min(1).max(1024).optional(),
  input: z.union([
    z
      .string()
      .min(1)
      .max(64 * 1024),
    z
      .array(
        z
          .string()
          .min(1)
          .max(64 * 1024),
      )
      .min(1)
      .max(256),
    z.array(z.number()).min(1),
  ]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().min(1).nullish(),
  user: z.string().max(256).optional(),
});
export type EmbeddingRequest = z.output<typeof EmbeddingRequest>;

export function embeddingInputs(req: EmbeddingRequest): string[] {
  if (req.dimensions) throw new Unsupported('dimensions is not supported: these models have one embedding size.', 'dimensions');
  if (typeof req.input === 'string') return [req.input];
  if (req.input.every((x): x is string => typeof x === 'string')) return req.input;
  throw new Unsupported('Token arrays are not supported as input: send text.', 'input');
}

/** A float vector as OpenAI's base64: the bytes of little-endian float32s. */
export function base64Floats(vector: number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}
