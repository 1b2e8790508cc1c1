/**
 * Private data is this user's only: conversations, the download queue, the Library registry and
 * the temp files of their atomic writes are 0600 from the first byte, the data folder 0700, and
 * temp files an interrupted write left behind are cleaned when the core starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanStaleTempFiles, writeFileAtomic, writePrivateFileAtomic } from '../../src-main/base/atomic-write';
import { fileQueueStore } from '../../src-main/downloads/queue-store';
import { ConversationStore } from '../../src-main/chat/conversations';
import { LocalRegistry } from '../../src-main/library/registry';
import { confBackend } from '../../src-main/settings/conf-backend';
import { settingsSlice } from '../../src-main/settings/slice';
import { place, unused } from '../helpers/fakes';
import { tmpDir } from '../helpers/tmp';
import { writeLlamaModel } from '../fixtures/llama-model';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('private data files', () => {
  it('are written 0600 from the first byte, temp file included', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'x.json');
    const seen: number[] = [];
    const watcher = fs.watch(dir, (_e, name) => {
      if (name?.endsWith('.tmp')) {
        try {
          seen.push(mode(path.join(dir, name)));
        } catch {
          // renamed already
        }
      }
    });
    for (let i = 0; i < 20; i++) writePrivateFileAtomic(file, `{"i":${i}}`);
    watcher.close();
    expect(mode(file)).toBe(0o600);
    expect(seen.every((m) => m === 0o600)).toBe(true);
    // A failed write (here: the rename onto a folder) leaves no temp file behind.
    fs.mkdirSync(path.join(dir, 'adir'));
    expect(() => writeFileAtomic(path.join(dir, 'adir'), 'x')).toThrow();
    expect(fs.readdirSync(dir).sort()).toEqual(['adir', 'x.json']);
  });

  it('conversations, downloads.json and library.json are 0600', async () => {
    const data = tmpDir();
    fileQueueStore(data).save([]);
    expect(mode(path.join(data, 'downloads.json'))).toBe(0o600);
    const chats = new ConversationStore(data);
    const c = chats.create('be brief');
    expect(mode(path.join(data, 'conversations', `${c.id}.json`))).toBe(0o600);
    const model = path.join(tmpDir(), 'm.gguf');
    writeLlamaModel(model);
    const registry = new LocalRegistry({ dataDir: data });
    expect((await registry.add([model])).added).toHaveLength(1);
    expect(mode(path.join(data, 'library.json'))).toBe(0o600);
  });

  it('the core tightens an older data folder and cleans stale temp files at start', () => {
    // The settings slice is built first at every start: building it is what a start does to the data folder.
    const p = place();
    const start = () =>
      settingsSlice.create({
        options: { ...p, homeDir: p.home, settingsBackend: confBackend },
        hf: p.hf,
        events: p.events,
        hub: { check: unused },
        cache: { sharedStoreView: unused },
      });
    start();
    const data = p.dataDir;
    fs.chmodSync(data, 0o755);
    fs.mkdirSync(path.join(data, 'conversations'), { recursive: true });
    const old = path.join(data, 'conversations', 'a.json');
    fs.writeFileSync(old, '{}', { mode: 0o644 });
    const stale = path.join(data, 'downloads.json.0123abcd.tmp');
    const fresh = path.join(data, 'library.json.89abcdef.tmp');
    fs.writeFileSync(stale, 'half');
    fs.writeFileSync(fresh, 'being written by another process');
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(stale, hourAgo, hourAgo);
    start();
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
    expect(mode(data)).toBe(0o700);
    expect(mode(old)).toBe(0o600);
    expect(cleanStaleTempFiles(path.join(data, 'nowhere'))).toEqual([]);
  });
});
