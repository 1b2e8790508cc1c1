/** The renderer's WebSocket transport and typed client, against a real `hubcap serve` server. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi } from '../../../src-renderer/api/client';
import { webSocketTransport, type ConnectionState, type Transport } from '../../../src-renderer/api/transport';
import { ApiError } from '../../../src-main/contract/errors';
import { startServer, type RunningServer } from '../../../src-main/serve/server';
import { testCore } from '../../helpers/core';
import { tmpDir } from '../../helpers/tmp';
import { rawRequest } from '../../helpers/http';
import { sessionProtocols } from '../../../src-renderer/api/session';

let server: RunningServer | null = null;
const transports: Transport[] = [];
afterEach(async () => {
  for (const t of transports.splice(0)) t.close();
  await server?.close();
  server = null;
});

/** `ws` with the cookie and Origin, standing in for the browser's WebSocket (which sends both itself). */
function browserLikeWebSocket(cookie: string, origin: string): typeof globalThis.WebSocket {
  class BrowserLikeWebSocket extends WebSocket {
    constructor(url: string, protocols?: string[]) {
      super(url, protocols ?? [], { headers: { Cookie: cookie, Origin: origin } });
    }
  }
  return BrowserLikeWebSocket as unknown as typeof globalThis.WebSocket;
}

async function setup() {
  const ui = tmpDir();
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html>');
  const core = testCore();
  server = await startServer({ core, rendererDir: ui, port: 0 });
  const base = `http://127.0.0.1:${server.port}`;
  const trade = await rawRequest(`${base}/?key=${server.secret}`, { Host: `127.0.0.1:${server.port}` });
  const cookie = (trade.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
  const session = new URL(trade.headers.location ?? '', base).searchParams.get('session');
  const transport = webSocketTransport(`ws://127.0.0.1:${server.port}/api/ws`, browserLikeWebSocket(cookie, base), sessionProtocols(session));
  transports.push(transport);
  return { core, api: createApi(transport), transport };
}

describe('renderer API over the serve WebSocket', () => {
  it('returns typed results and throws ApiError with code and details', async () => {
    const { api } = await setup();
    const settings = await api.call('settings.get', {});
    expect(settings.theme).toBe('system');
    const err = await api.call('settings.update', { theme: 'neon' as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [expect.objectContaining({ path: 'theme' })] } });
  });

  it('delivers events to typed listeners', async () => {
    const { api } = await setup();
    await api.call('app.info', {});
    const got = new Promise((resolve) => api.on('settings.changed', resolve));
    await api.call('settings.update', { offline: true });
    expect(await got).toMatchObject({ offline: { enabled: true, source: 'setting' } });
  });

  it('reconnects after the connection drops', async () => {
    const { api, transport } = await setup();
    await api.call('app.info', {});
    const states: ConnectionState[] = [];
    transport.onConnection((s) => states.push(s));
    // Drop every socket from the server side, then bring the server back on the same port.
    const { port, secret } = server as RunningServer;
    await server?.close();
    server = null;
    await new Promise((r) => setTimeout(r, 100));
    expect(transport.connection()).toBe('reconnecting');
    const ui = tmpDir();
    fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html>');
    server = await startServer({ core: testCore(), rendererDir: ui, port, secret });
    // A call made while disconnected waits for the new connection instead of failing.
    expect((await api.call('app.info', {})).name).toBe('Hubcap');
    expect(transport.connection()).toBe('open');
    expect(states).toEqual(expect.arrayContaining(['reconnecting', 'open']));
  });
});
