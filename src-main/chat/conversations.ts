/**
 * Conversations saved locally: one JSON file per conversation in `<data>/conversations/`, written
 * atomically, validated when read (a damaged file is listed as unreadable, never crashes the list).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { writePrivateFileAtomic } from '../base/atomic-write';
import { type Conversation, type ConversationSummary, DEFAULT_SAMPLING, SamplingInput } from '../contract/chat';
import { ApiError } from '../contract/errors';

const Stats = z.object({
  tokens: z.number(),
  tokensPerSecond: z.number(),
  timeToFirstTokenMs: z.number(),
  totalMs: z.number(),
  stopReason: z.enum(['end', 'maxTokens', 'stopped', 'error']),
  contextUsed: z.number(),
  contextSize: z.number(),
});

const StoredConversation = z.object({
  id: z.uuid(),
  title: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  modelKey: z.string().nullable(),
  modelName: z.string().nullable(),
  systemPrompt: z.string(),
  sampling: SamplingInput,
  messages: z.array(
    z.object({
      id: z.uuid(),
      role: z.enum(['user', 'assistant']),
      text: z.string(),
      createdAt: z.string(),
      model: z.string().optional(),
      stats: Stats.optional(),
      pending: z.boolean().optional(),
      error: z.string().optional(),
    }),
  ),
});

export const DEFAULT_SYSTEM_PROMPT = 'You are a helpful assistant.';

/** A title from the first message: its first line, shortened at a word. */
export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  if (line.length <= 60) return line || 'New chat';
  const cut = line.slice(0, 60);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : 60)}…`;
}

export class ConversationStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'conversations');
  }

  #file(id: string): string {
    // ids are uuids (validated at the contract); the check here keeps a bad id from naming another file.
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new ApiError('NOT_FOUND', 'No such conversation.');
    return path.join(this.dir, `${id}.json`);
  }

  create(systemPrompt = DEFAULT_SYSTEM_PROMPT): Conversation {
    const now = new Date().toISOString();
    const c: Conversation = {
      id: randomUUID(),
      title: 'New chat',
      createdAt: now,
      updatedAt: now,
      modelKey: null,
      modelName: null,
      systemPrompt,
      sampling: { ...DEFAULT_SAMPLING },
      messages: [],
    };
    this.save(c);
    return c;
  }

  get(id: string): Conversation {
    let raw: string;
    try {
      raw = fs.readFileSync(this.#file(id), 'utf8');
    } catch {
      throw new ApiError('NOT_FOUND', 'That conversation no longer exists.');
    }
    const parsed = StoredConversation.safeParse(safeJson(raw));
    if (!parsed.success) throw new ApiError('INTERNAL', `The saved conversation ${id} is damaged and cannot be read.`);
    return parsed.data as Conversation;
  }

  save(c: Conversation): void {
    fs.mkdirSync(this.dir, { recursive: true });
    writePrivateFileAtomic(this.#file(c.id), JSON.stringify(c));
  }

  delete(id: string): void {
    fs.rmSync(this.#file(id), { force: true });
  }

  list(search?: string): ConversationSummary[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => /^[0-9a-f-]{36}\.json$/.test(n));
    } catch {
      return [];
    }
    const needle = search?.trim().toLowerCase() ?? '';
    const out: ConversationSummary[] = [];
    for (const name of names) {
      let c: Conversation;
      try {
        c = this.get(name.slice(0, -5));
      } catch {
        continue;
      }
      if (needle && !c.title.toLowerCase().includes(needle) && !c.messages.some((m) => m.text.toLowerCase().includes(needle))) continue;
      const last = c.messages.at(-1);
      out.push({
        id: c.id,
        title: c.title,
        updatedAt: c.updatedAt,
        modelName: c.modelName,
        messages: c.messages.length,
        preview: (last?.text ?? '').slice(0, 120),
      });
    }
    return out.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}
