/**
 * The shell's wiring, run against a stand-in for electron (the real binary cannot be installed
 * on CI): what main.ts registers, in which order, and with which options.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { sampleGguf } from '../fixtures/gguf-writer';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CHANNEL } from '../../src-main/contract/wire';
import { FakeSession, FakeWebContents } from './stand-in';
import { tmpDir } from '../helpers/tmp';

const h = vi.hoisted(() => ({ state: null as null | Record<string, unknown> }));

function makeElectron(lock: boolean) {
  const order: string[] = [];
  const app = Object.assign(new EventEmitter(), {
    isPackaged: true,
    requestSingleInstanceLock: vi.fn(() => {
      order.push('lock');
      return lock;
    }),
    whenReady: vi.fn(() => {
      order.push('whenReady');
      return Promise.resolve();
    }),
    getPath: vi.fn(() => dataDir),
    quit: vi.fn(),
    exit: vi.fn(),
    setAsDefaultProtocolClient: vi.fn(),
  });
  const dataDir = tmpDir('hubcap-userdata-');
  const windows: FakeWindow[] = [];
  class FakeWindow extends EventEmitter {
    options: unknown;
    loaded: string | null = null;
    webContents = new FakeWebContents();
    constructor(options: unknown) {
      super();
      this.options = options;
      windows.push(this);
    }
    loadURL(url: string) {
      this.loaded = url;
      return Promise.resolve();
    }
    maximize() {}
    show() {}
    focus() {}
    restore() {}
    isMinimized() {
      return false;
    }
    getNormalBounds() {
      return { x: 0, y: 0, width: 1200, height: 800 };
    }
    isMaximized() {
      return false;
    }
    static getAllWindows() {
      return windows;
    }
  }
  const protocol = {
    registerSchemesAsPrivileged: vi.fn(() => order.push('registerSchemes')),
    handle: vi.fn(),
  };
  const ipcMain = new EventEmitter();
  const session = { defaultSession: new FakeSession() };
  const electron = {
    app,
    BrowserWindow: FakeWindow,
    protocol,
    ipcMain,
    session,
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    shell: { openExternal: vi.fn(), openPath: vi.fn(async () => '') },
    clipboard: { writeText: vi.fn() },
    dialog: { showErrorBox: vi.fn(), showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] })) },
    utilityProcess: { fork: vi.fn() },
  };
  return { electron, order, windows };
}

// The factory runs once; getters let each boot() hand main.ts a fresh stand-in.
vi.mock('electron', () => {
  const names = ['app', 'BrowserWindow', 'protocol', 'ipcMain', 'session', 'screen', 'shell', 'clipboard', 'dialog', 'utilityProcess'];
  const current = () => (h.state as { electron: Record<string, unknown> }).electron;
  const mod: Record<string, unknown> = {};
  for (const name of names) Object.defineProperty(mod, name, { get: () => current()[name], enumerable: true });
  Object.defineProperty(mod, 'default', { get: () => current(), enumerable: true });
  return mod;
});

vi.mock('electron-store', () => ({
  default: class {
    path = '/fake/settings.json';
    store: Record<string, unknown> = {};
  },
}));

async function boot(lock = true) {
  h.state = makeElectron(lock);
  vi.resetModules();
  await import('../../src-main/electron/main');
  await new Promise((r) => setTimeout(r, 20));
  return h.state as ReturnType<typeof makeElectron>;
}

beforeEach(() => {
  process.env.HUBCAP_DATA_DIR = tmpDir('hubcap-data-');
  process.env.HF_ENDPOINT = 'http://127.0.0.1:1';
  process.env.HF_HUB_OFFLINE = '1';
});

describe('desktop shell wiring', () => {
  it('registers the app scheme before ready and takes the single-instance lock', async () => {
    const { order, electron } = await boot();
    expect(order.indexOf('registerSchemes')).toBeLessThan(order.indexOf('whenReady'));
    expect(order).toContain('lock');
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ secure: true, standard: true }) }),
    ]);
    expect(electron.app.listenerCount('second-instance')).toBe(1);
  });

  it('serves the renderer from app:// and opens one hardened window on it', async () => {
    const { electron, windows } = await boot();
    expect(electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(windows).toHaveLength(1);
    const win = windows[0] as unknown as { options: { webPreferences: Record<string, unknown> }; loaded: string };
    expect(win.loaded).toBe('app://hubcap/index.html');
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(win.options.webPreferences.preload)).toMatch(/preload\.cjs$/);
  });

  it('hardens every web contents created and denies permissions', async () => {
    const { electron } = await boot();
    const contents = new FakeWebContents();
    electron.app.emit('web-contents-created', {}, contents);
    expect(contents.windowOpenHandler?.({ url: 'https://x.test' })).toEqual({ action: 'deny' });
    expect(contents.listenerCount('will-navigate')).toBe(1);
    const cb = vi.fn();
    electron.session.defaultSession.permissionRequest?.({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
  });

  it('carries the contract over IPC', async () => {
    const { electron } = await boot();
    expect(electron.ipcMain.listenerCount(IPC_CHANNEL)).toBe(1);
    const sender = new FakeWebContents();
    electron.ipcMain.emit(
      IPC_CHANNEL,
      { sender, senderFrame: { url: 'app://hubcap/index.html', parent: null } },
      { t: 'q', i: 'x', m: 'invoke', a: ['app.info', {}] },
    );
    await new Promise((r) => setTimeout(r, 20));
    const reply = sender.sent[0]?.[1] as { r: { ok: boolean; value: { transport: string; capabilities: Record<string, boolean> } } };
    expect(reply.r.ok).toBe(true);
    expect(reply.r.value.transport).toBe('electron');
    expect(reply.r.value.capabilities).toEqual({ openInFileManager: true, openExternal: true, clipboard: true, pickFolders: true });
  });

  it('runs inference in a utilityProcess started from the built host entry, only when first needed', async () => {
    const { electron } = await boot();
    const fork = electron.utilityProcess.fork;
    expect(fork).not.toHaveBeenCalled();
    const child = Object.assign(new EventEmitter(), { pid: 7, stderr: null, postMessage: vi.fn(), kill: vi.fn() });
    fork.mockReturnValue(child);
    const sender = new FakeWebContents();
    electron.ipcMain.emit(
      IPC_CHANNEL,
      { sender, senderFrame: { url: 'app://hubcap/index.html', parent: null } },
      { t: 'q', i: 'h', m: 'invoke', a: ['inference.hardware', {}] },
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(fork).toHaveBeenCalledWith(
      expect.stringMatching(/out[\\/]main[\\/]inference-host\.js$|inference-host\.js$/),
      [],
      expect.objectContaining({ serviceName: 'Hubcap inference' }),
    );
    expect(child.postMessage).toHaveBeenCalled();
  });

  it('adds .gguf files handed over by a second launch or the macOS open-file event to the Library', async () => {
    const { electron } = await boot();
    const dir = tmpDir('hubcap-open-');
    const a = path.join(dir, 'opened.gguf');
    const b = path.join(dir, 'mac.gguf');
    fs.writeFileSync(a, sampleGguf({ name: 'a' }));
    fs.writeFileSync(b, sampleGguf({ name: 'b' }));
    expect(electron.app.listenerCount('open-file')).toBe(1);
    electron.app.emit('second-instance', {}, ['/opt/Hubcap/hubcap', '--flag', a, 'relative.gguf', '/x/readme.txt']);
    electron.app.emit('open-file', { preventDefault() {} }, b);
    await new Promise((r) => setTimeout(r, 100));
    const library = JSON.parse(fs.readFileSync(path.join(process.env.HUBCAP_DATA_DIR as string, 'library.json'), 'utf8')) as { entries: { paths: string[] }[] };
    expect(library.entries.map((e) => e.paths[0]).sort()).toEqual([b, a].sort());
  });

  it('quits at once when another instance holds the lock', async () => {
    const { electron, windows } = await boot(false);
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.app.whenReady).not.toHaveBeenCalled();
    expect(windows).toHaveLength(0);
  });
});
