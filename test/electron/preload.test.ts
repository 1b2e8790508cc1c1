import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type HubcapBridge, IPC_CHANNEL } from '../../src-main/contract/wire';

const h = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  sent: [] as unknown[],
  onIpc: null as null | ((event: unknown, data: unknown) => void),
}));

vi.mock('electron', () => {
  const e = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => h.exposed.set(key, api) },
    webUtils: { getPathForFile: (f: { name: string }) => `/dropped/${f.name}` },
    ipcRenderer: {
      send: (channel: string, data: unknown) => {
        if (channel === IPC_CHANNEL) h.sent.push(data);
      },
      on: (channel: string, fn: (event: unknown, data: unknown) => void) => {
        if (channel === IPC_CHANNEL) h.onIpc = fn;
      },
    },
  };
  return { ...e, default: e };
});

beforeEach(async () => {
  h.exposed.clear();
  h.sent.length = 0;
  vi.resetModules();
  await import('../../src-main/electron/preload');
});

describe('preload', () => {
  it('exposes only window.hubcap with invoke and subscribe, never ipcRenderer', () => {
    expect([...h.exposed.keys()]).toEqual(['hubcap']);
    const bridge = h.exposed.get('hubcap') as Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'pathForFile', 'subscribe']);
    expect(Object.values(bridge).every((v) => typeof v === 'function')).toBe(true);
  });

  it('gives dropped files their real path through webUtils (File.path is gone in Electron 32+)', () => {
    const bridge = h.exposed.get('hubcap') as HubcapBridge;
    expect(bridge.pathForFile({ name: 'model.gguf' } as File)).toBe('/dropped/model.gguf');
  });

  it('turns invoke into one IPC request and resolves with the reply', async () => {
    const bridge = h.exposed.get('hubcap') as HubcapBridge;
    const pending = bridge.invoke('app.info', {});
    const frame = h.sent[0] as { t: string; i: string; m: string; a: unknown[] };
    expect(frame).toMatchObject({ t: 'q', m: 'invoke', a: ['app.info', {}] });
    h.onIpc?.({}, { t: 's', i: frame.i, r: { ok: true, value: 42 } });
    await expect(pending).resolves.toEqual({ ok: true, value: 42 });
  });

  it('delivers core events to subscribers until they unsubscribe', async () => {
    const bridge = h.exposed.get('hubcap') as HubcapBridge;
    const seen: unknown[] = [];
    const off = bridge.subscribe((name, payload) => seen.push([name, payload]));
    h.onIpc?.({}, { t: 'q', m: 'event', a: ['hub.status', { reachability: 'online' }] });
    await new Promise((r) => setTimeout(r, 5));
    off();
    h.onIpc?.({}, { t: 'q', m: 'event', a: ['hub.status', { reachability: 'offline-mode' }] });
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([['hub.status', { reachability: 'online' }]]);
  });
});
