/**
 * OpenAI's chat completion request, as clients send it: validated and bounded with zod (unknown
 * fields are ignored, wrong types are a 400 naming the field), then turned into what the
 * inference host runs. Parameters node-llama-cpp has no equivalent for are accepted and ignored:
 * `presence_penalty`, `frequency_penalty`, `logit_bias`, `logprobs`, `user` (README, Local API).
 */
import { z } from 'zod';
import { DEFAULT_SAMPLING, type Sampling } from '../contract/chat';
import type { HistoryItem, HostGenerateRequest } from '../inference/host-protocol';

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

const Message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: Content,
  name: z.string().max(256).optional(),
  tool_calls: z.array(z.unknown()).max(128).nullish(),
});

const JsonObject = z.record(z.string(), z.unknown());

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
};

type SamplingFields = { [K in keyof typeof SAMPLING_FIELDS]?: z.output<(typeof SAMPLING_FIELDS)[K]> };

function samplingFrom(req: SamplingFields, maxTokens: number): { sampling: Sampling; stop: string[] } {
  if ((req.n ?? 1) > 1) throw new Unsupported('n > 1 is not supported: ask for one answer per request.', 'n');
  const stop = req.stop === null || req.stop === undefined ? [] : typeof req.stop === 'string' ? [req.stop] : req.stop;
  return {
    sampling: {
      temperature: req.temperature ?? DEFAULT_SAMPLING.temperature,
      topP: req.top_p ?? DEFAULT_SAMPLING.topP,
      topK: req.top_k ?? DEFAULT_SAMPLING.topK,
      minP: req.min_p ?? DEFAULT_SAMPLING.minP,
      // OpenAI clients expect no repeat penalty unless asked (their penalties are ignored, see above).
      repeatPenalty: req.repeat_penalty ?? 1,
      seed: req.seed ?? null,
      maxTokens,
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
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  response_format: ResponseFormat.nullish(),
  tools: z.array(z.unknown()).max(128).nullish(),
  tool_choice: z.unknown().optional(),
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

export function toHostRequest(req: ChatRequest): Omit<HostGenerateRequest, 'requestId'> {
  const { sampling, stop } = samplingFrom(req, req.max_completion_tokens ?? req.max_tokens ?? LIMITS.defaultMaxTokens);
  if (req.tools?.length && req.tool_choice !== 'none') {
    throw new Unsupported('Function calling (tools) is not supported by this server yet; send the request without tools.', 'tools');
  }
  const system: string[] = [];
  const turns: HistoryItem[] = [];
  let chars = 0;
  req.messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (m.role === 'tool' || m.role === 'function' || m.tool_calls?.length) {
      throw new Unsupported(`${at} is a tool call or result: function calling is not supported by this server yet.`, `${at}.role`);
    }
    const t = text(m.content, at);
    chars += t.length;
    if (m.role === 'system' || m.role === 'developer') system.push(t);
    else turns.push({ role: m.role, text: t });
  });
  if (chars > LIMITS.promptChars) throw new Unsupported(`The messages hold ${chars} characters; at most ${LIMITS.promptChars} are accepted.`, 'messages');
  const last = turns.pop();
  if (!last || last.role !== 'user') throw new Unsupported('The last message must be from the user.', 'messages');
  const rf = req.response_format;
  return {
    systemPrompt: system.join('\n\n'),
    history: turns,
    prompt: last.text,
    sampling,
    ...(stop.length ? { stop } : {}),
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

export function toRawCompletion(req: CompletionRequest): { prompt: string; sampling: Sampling; stop?: string[] } {
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
