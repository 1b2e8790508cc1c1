import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { IpcMain } from 'electron';
import { IPC_CHANNEL } from '../../src-main/contract/wire';
import { isTrustedSender, wireIpc } from '../../src-main/electron/ipc';
import { testCore } from '../helpers/core';
import { FakeWebContents } from './stand-in';

const frame = (url: string, parent: unknown = null) => ({ url, parent });

function invokeFrame(id: string, method: string, input: unknown) {
  return { t: 'q', i: id, m: 'invoke', a: [method, input] };
}

async function settle() {
  await new Promise((r) => setTimeout(r, 20));
}

describe('IPC sender checks', () => {
  it('trusts only the main frame of the app origin', () => {
    expect(isTrustedSender({ senderFrame: frame('app://hubcap/index.html') } as never)).toBe(true);
    expect(isTrustedSender({ senderFrame: frame('https://evil.example/') } as never)).toBe(false);
    expect(isTrustedSender({ senderFrame: frame('file:///tmp/x.html') } as never)).toBe(false);
    expect(isTrustedSender({ senderFrame: frame('app://hubcap/index.html', {}) } as never)).toBe(false);
    expect(isTrustedSender({ senderFrame: null } as never)).toBe(false);
  });
});

describe('IPC transport', () => {
  it('answers a trusted window over its own channel, and validates input', async () => {
    const ipcMain = new EventEmitter();
    wireIpc(ipcMain as unknown as IpcMain, testCore());
    const sender = new FakeWebContents();
    ipcMain.emit(IPC_CHANNEL, { sender, senderFrame: frame('app://hubcap/index.html') }, invokeFrame('1', 'settings.get', {}));
    ipcMain.emit(IPC_CHANNEL, { sender, senderFrame: frame('app://hubcap/index.html') }, invokeFrame('2', 'settings.update', { offline: 'yes' }));
    await settle();
    const replies = sender.sent
      .filter(([c]) => c === IPC_CHANNEL)
      .map(([, d]) => d as { t: string; i?: string; r?: { ok: boolean; error?: { code: string } } });
    expect(replies.find((r) => r.i === '1')?.r?.ok).toBe(true);
    expect(replies.find((r) => r.i === '2')?.r?.error?.code).toBe('VALIDATION_FAILED');
  });

  it('drops messages from untrusted senders without answering', async () => {
    const ipcMain = new EventEmitter();
    const core = testCore();
    const spy = vi.spyOn(core.handlers, 'settings.get');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    wireIpc(ipcMain as unknown as IpcMain, core);
    const sender = new FakeWebContents();
    ipcMain.emit(IPC_CHANNEL, { sender, senderFrame: frame('https://evil.example/') }, invokeFrame('1', 'settings.get', {}));
    await settle();
    expect(sender.sent).toEqual([]);
    expect(spy).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('pushes core events to each window and stops when the window is destroyed', async () => {
    const ipcMain = new EventEmitter();
    const core = testCore();
    const before = core.events.size;
    wireIpc(ipcMain as unknown as IpcMain, core);
    const sender = new FakeWebContents();
    ipcMain.emit(IPC_CHANNEL, { sender, senderFrame: frame('app://hubcap/index.html') }, invokeFrame('1', 'app.info', {}));
    await settle();
    await core.handlers['settings.update']({ theme: 'dark' });
    await settle();
    expect(sender.sent.some(([, d]) => (d as { m?: string; a?: unknown[] }).m === 'event' && (d as { a: unknown[] }).a[0] === 'settings.changed')).toBe(true);
    sender.emit('destroyed');
    expect(core.events.size).toBe(before);
  });
});
