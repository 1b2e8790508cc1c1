/**
 * The `hubcap serve` session this page holds. The server hands it over once, in the URL the key
 * redirects to; it is kept in localStorage, which only this origin (host *and* port) can read,
 * and removed from the address bar.
 */
import { SESSION_HEADER, SESSION_PATH, SESSION_PROTOCOL_PREFIX, SESSION_QUERY, WS_PROTOCOL } from '../../src-main/contract/wire';

const STORAGE_KEY = 'hubcap.session';

export function takeSession(): string | null {
  const params = new URLSearchParams(location.search);
  const fresh = params.get(SESSION_QUERY);
  if (fresh) {
    localStorage.setItem(STORAGE_KEY, fresh);
    params.delete(SESSION_QUERY);
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
    return fresh;
  }
  return localStorage.getItem(STORAGE_KEY);
}

export function currentSession(): string | null {
  return localStorage.getItem(STORAGE_KEY);
}

/** Subprotocols for the WebSocket: the one spoken, and the one carrying the session. */
export function sessionProtocols(session: string | null): string[] {
  return session ? [WS_PROTOCOL, `${SESSION_PROTOCOL_PREFIX}${session}`] : [WS_PROTOCOL];
}

export function sessionHeaders(): Record<string, string> {
  const s = currentSession();
  return s ? { [SESSION_HEADER]: s } : {};
}

/**
 * Is this page's session still good? A POST, so the browser sends Origin (the server wants it);
 * 401 means the server restarted with a new key, anything unanswered means it is not there now.
 */
export async function checkSession(): Promise<'valid' | 'invalid' | 'unreachable'> {
  try {
    const res = await fetch(SESSION_PATH, { method: 'POST', headers: sessionHeaders(), cache: 'no-store' });
    return res.status === 204 ? 'valid' : res.status === 401 ? 'invalid' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}
