/**
 * How the renderer reaches the core: the Electron preload bridge when present, otherwise the
 * `hubcap serve` WebSocket on the page's own origin, presenting the page's session (api/session.ts).
 */
import { createBirpc, type BirpcReturn } from 'birpc';
import { ApiError } from '../../src-main/contract/errors';
import { type ClientRpcFunctions, type CoreRpcFunctions, type HubcapBridge, WS_PATH, type WireResult } from '../../src-main/contract/wire';
import { checkSession, sessionProtocols, takeSession } from './session';

/** `restarted`: the server no longer knows this page's session (it restarted with a new key): only a new address helps. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'restarted';

/** Asks the server whether this page's session is still good, after a connection failed. */
export type SessionCheck = () => Promise<'valid' | 'invalid' | 'unreachable'>;

export interface Transport {
  readonly kind: 'electron' | 'serve';
  /** Desktop only: the real path of a dropped file. */
  pathForFile?: (file: File) => string;
  invoke(method: string, input: unknown): Promise<WireResult>;
  subscribe(listener: (name: string, payload: unknown) => void): () => void;
  connection(): ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Stop for good (no reconnection). */
  close(): void;
}

declare global {
  interface Window {
    hubcap?: HubcapBridge;
  }
}

export function electronTransport(bridge: HubcapBridge): Transport {
  return {
    kind: 'electron',
    pathForFile: (file) => bridge.pathForFile(file),
    invoke: (method, input) => bridge.invoke(method, input),
    subscribe: (listener) => bridge.subscribe(listener),
    connection: () => 'open',
    onConnection: () => () => {},
    close: () => {},
  };
}

/** WebSocket transport with automatic reconnection; calls made while disconnected wait for it. */
export function webSocketTransport(url: string, WebSocketImpl: typeof WebSocket = WebSocket, protocols: string[] = [], checkSession?: SessionCheck): Transport {
  const listeners = new Set<(name: string, payload: unknown) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let socket: WebSocket | null = null;
  let onFrame: ((data: unknown) => void) | null = null;
  const outbox: string[] = [];
  let delay = 250;
  let closed = false;

  const setState = (next: ConnectionState) => {
    state = next;
    for (const l of connectionListeners) l(next);
  };

  const rpc: BirpcReturn<CoreRpcFunctions, ClientRpcFunctions> = createBirpc<CoreRpcFunctions, ClientRpcFunctions>(
    {
      event(name, payload) {
        for (const l of listeners) l(name, payload);
      },
    },
    {
      post: (data) => {
        const text = data as string;
        if (socket && socket.readyState === WebSocketImpl.OPEN) socket.send(text);
        else outbox.push(text);
      },
      on: (fn) => {
        onFrame = fn;
      },
      serialize: (v) => JSON.stringify(v),
      deserialize: (v) => JSON.parse(v as string) as unknown,
      timeout: -1,
    },
  );

  const connect = () => {
    if (closed) return;
    const ws = protocols.length ? new WebSocketImpl(url, protocols) : new WebSocketImpl(url);
    socket = ws;
    ws.onopen = () => {
      delay = 250;
      setState('open');
      for (const text of outbox.splice(0)) ws.send(text);
    };
    ws.onmessage = (ev: MessageEvent) => onFrame?.(ev.data);
    // Errors are always followed by close, where reconnection happens.
    ws.onerror = () => {};
    ws.onclose = () => {
      socket = null;
      // Answers to calls in flight are lost with the socket: fail them clearly, then reconnect.
      rpc.$rejectPendingCalls(({ reject }) => reject(new ApiError('DISCONNECTED', 'The connection to Hubcap was lost; it is reconnecting.')));
      if (closed) return;
      setState('reconnecting');
      const retry = () => {
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 5000);
      };
      if (!checkSession) return retry();
      // A server that answers but no longer knows our session restarted with a new key: retrying
      // forever would only say "reconnecting" to a tab that can never get back in.
      void checkSession().then((verdict) => {
        if (closed) return;
        if (verdict === 'invalid') {
          closed = true;
          setState('restarted');
        } else retry();
      });
    };
  };
  connect();

  return {
    kind: 'serve',
    invoke: (method, input) => rpc.invoke(method, input),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connection: () => state,
    onConnection: (listener) => {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    close: () => {
      closed = true;
      socket?.close();
    },
  };
}

export function detectTransport(): Transport {
  if (window.hubcap) return electronTransport(window.hubcap);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return webSocketTransport(`${scheme}://${location.host}${WS_PATH}`, WebSocket, sessionProtocols(takeSession()), checkSession);
}
