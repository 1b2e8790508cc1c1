import type { ApiErrorShape } from './errors';

/** What one call returns on the wire: handlers never throw across a transport. */
export type WireResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape };

/** Functions the core exposes to a client connection (carried by birpc). */
export interface CoreRpcFunctions {
  invoke(method: string, input: unknown): Promise<WireResult>;
}

/** Functions a client exposes to the core: events are fire-and-forget. */
export interface ClientRpcFunctions {
  event(name: string, payload: unknown): void;
}

/** The only surface the Electron preload exposes to the page (window.hubcap). */
export interface HubcapBridge {
  invoke(method: string, input: unknown): Promise<WireResult>;
  subscribe(listener: (name: string, payload: unknown) => void): () => void;
  /** The path of a dropped file (Electron 32+ has no File.path): webUtils.getPathForFile. */
  pathForFile(file: File): string;
}

/** IPC channel name shared by preload and main. */
export const IPC_CHANNEL = 'hubcap:rpc';
/** WebSocket path under `hubcap serve`. */
export const WS_PATH = '/api/ws';
/** Upload endpoint under `hubcap serve` for files dropped in a browser (which has no paths). */
export const UPLOAD_PATH = '/api/upload';

/**
 * `hubcap serve` sessions: the printed key is traded for a session token, handed to the page in
 * the `session` query parameter of the URL it is redirected to. The page keeps it in
 * localStorage (origin-bound, unlike cookies) and presents it as a WebSocket subprotocol and, on
 * uploads and session checks, in a header.
 */
export const WS_PROTOCOL = 'hubcap.v1';
export const SESSION_PROTOCOL_PREFIX = 'hubcap.session.';
export const SESSION_HEADER = 'x-hubcap-session';
export const SESSION_QUERY = 'session';
/** GET with the session header: 204 while the session is good, 401 once the server restarted. */
export const SESSION_PATH = '/api/session';
