import path from 'node:path';
import { expect } from 'vitest';
import { nodeHostLauncher, type HostLauncher } from '../../src-main/inference/host-client';
import type { EventBus } from '../../src-main/base/events';
import type { EventName } from '../../src-main/contract/api';
import type { Conversation } from '../../src-main/contract/chat';
import fs from 'node:fs';
import os from 'node:os';
import { cachedLlamaModel, writeSplitLlamaModel } from '../fixtures/llama-model';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The inference host from its TypeScript source, through tsx (the built one is exercised by e2e). */
export function sourceHostLauncher(env: Record<string, string | undefined> = process.env): HostLauncher {
  return nodeHostLauncher(path.join(ROOT, 'src-main/inference/host/main.ts'), { env, execArgv: ['--import', 'tsx'] });
}

/** A generated model, written once per machine and options. */
export const testModel = cachedLlamaModel;

/** A tiny model in three parts (gguf-split layout), written once per machine. */
export function splitTestModel(): string[] {
  const dir = path.join(os.tmpdir(), 'hubcap-test-models', 'split');
  const parts = [1, 2, 3].map((i) => path.join(dir, `tiny-split-0000${i}-of-00003.gguf`));
  if (!parts.every((p) => fs.existsSync(p))) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
    writeSplitLlamaModel(tmp, 'tiny-split', 3);
    for (const p of parts) fs.renameSync(path.join(tmp, path.basename(p)), p);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return parts;
}

/** Every event of one kind the core emits from now on. */
export function recordEvents<K extends EventName>(core: { events: EventBus }, name: K): unknown[] {
  const seen: unknown[] = [];
  core.events.on((n, payload) => {
    if (n === name) seen.push(payload);
  });
  return seen;
}

/** Waits until the conversation's last answer is no longer pending; returns the conversation. */
export async function answered(core: { chats: { get(id: string): Conversation } }, id: string, timeout = 60_000): Promise<Conversation> {
  let c: Conversation | null = null;
  await expect
    .poll(
      () => {
        c = core.chats.get(id);
        return c.messages.at(-1)?.pending ?? false;
      },
      { timeout, interval: 50 },
    )
    .toBe(false);
  return c as unknown as Conversation;
}
