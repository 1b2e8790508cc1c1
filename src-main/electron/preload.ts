/**
 * The preload exposes exactly one object to the page, `window.hubcap`, with `invoke` and
 * `subscribe`. ipcRenderer itself never reaches the page.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBirpc } from 'birpc';
import { type ClientRpcFunctions, type CoreRpcFunctions, type HubcapBridge, IPC_CHANNEL } from '../contract/wire';

const listeners = new Set<(name: string, payload: unknown) => void>();

const rpc = createBirpc<CoreRpcFunctions, ClientRpcFunctions>(
  {
    event(name, payload) {
      for (const listener of listeners) listener(name, payload);
    },
  },
  {
    post: (data) => ipcRenderer.send(IPC_CHANNEL, data),
    on: (fn) => {
      ipcRenderer.on(IPC_CHANNEL, (_event, data: unknown) => fn(data));
    },
    // No timeout: IPC cannot silently drop a reply, and long calls (model loads) are legitimate.
    timeout: -1,
  },
);

const bridge: HubcapBridge = {
  invoke: (method, input) => rpc.invoke(String(method), input),
  subscribe: (listener) => {
    const wrapped = (name: string, payload: unknown) => listener(name, payload);
    listeners.add(wrapped);
    return () => {
      listeners.delete(wrapped);
    };
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('hubcap', bridge);
