import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConversationStore, titleFrom } from '../../src-main/chat/conversations';
import { tmpDir } from '../helpers/tmp';

describe('conversation store', () => {
  it('saves one file per conversation, lists newest first and searches titles and text', async () => {
    const store = new ConversationStore(tmpDir());
    const a = store.create();
    await new Promise((r) => setTimeout(r, 5));
    const b = store.create('Be brief.');
    b.title = 'Sea stories';
    b.messages.push({ id: crypto.randomUUID(), role: 'user', text: 'Tell me about whales', createdAt: new Date().toISOString() });
    b.updatedAt = new Date().toISOString();
    store.save(b);
    expect(store.list().map((c) => c.id)).toEqual([b.id, a.id]);
    expect(store.list('WHALES').map((c) => c.id)).toEqual([b.id]);
    expect(store.get(b.id).systemPrompt).toBe('Be brief.');
    expect(fs.readdirSync(store.dir).sort()).toEqual([`${a.id}.json`, `${b.id}.json`].sort());
  });

  it('skips a damaged file in the list and says so when it is opened', () => {
    const store = new ConversationStore(tmpDir());
    const good = store.create();
    const bad = '11111111-1111-4111-8111-111111111111';
    fs.writeFileSync(path.join(store.dir, `${bad}.json`), '{"id": "not even close"');
    expect(store.list().map((c) => c.id)).toEqual([good.id]);
    expect(() => store.get(bad)).toThrow(/damaged/);
  });

  it('never turns an id into a path outside its folder', () => {
    const store = new ConversationStore(tmpDir());
    expect(() => store.get('../../settings')).toThrow(/no longer exists|No such conversation/);
    expect(() => store.delete('../x')).toThrow(/No such conversation/);
  });

  it('titles a chat from its first line, cut at a word', () => {
    expect(titleFrom('  Hello there\nsecond line')).toBe('Hello there');
    expect(titleFrom('')).toBe('New chat');
    const long = titleFrom('word '.repeat(30));
    expect(long.length).toBeLessThanOrEqual(61);
    expect(long.endsWith('…')).toBe(true);
  });
});
