/**
 * A client of a running `hubcap serve` as the UI is one: the printed key traded for the asset
 * cookie and a session, then the one WebSocket carrying the contract's calls.
 */
import WebSocket from 'ws';
import { rawRequest } from './http';

export interface ServeClient {
  call(method: string, input: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
  close(): void;
}

/** Signs in with `url` (`http://host:port/?key=…`, as serve prints it) and opens the WebSocket. */
export async function connectServe(url: string): Promise<ServeClient> {
  const parsed = new URL(url);
  const host = parsed.host;
  const base = parsed.origin;
  const trade = await rawRequest(url, { Host: host });
  const cookie = (trade.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
  const session = new URL(trade.headers.location ?? '', base).searchParams.get('session');
  if (!cookie || !session) throw new Error(`serve did not sign in (HTTP ${trade.status})`);
  const ws = await new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/ws`, ['hubcap.v1', `hubcap.session.${session}`], {
      headers: { Host: host, Cookie: cookie, Origin: base },
    });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
  let next = 0;
  return {
    call: (method, input) => {
      const id = `c${next++}`;
      return new Promise((resolve) => {
        const onMessage = (data: WebSocket.RawData) => {
          const frame = JSON.parse(data.toString()) as { t: string; i?: string; r?: never };
          if (frame.t === 's' && frame.i === id) {
            ws.off('message', onMessage);
            resolve(frame.r as never);
          }
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ t: 'q', i: id, m: 'invoke', a: [method, input] }));
      });
    },
    close: () => ws.close(),
  };
}
