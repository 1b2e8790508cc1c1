import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../src-main/serve/server';
import { testCore } from '../helpers/core';
import { rawRequest } from '../helpers/http';
import { tmpDir } from '../helpers/tmp';

let server: RunningServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start() {
  const ui = tmpDir('hubcap-ui-');
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>Hubcap</title>');
  fs.mkdirSync(path.join(ui, 'assets'));
  fs.writeFileSync(path.join(ui, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(path.dirname(ui), 'outside.txt'), 'secret');
  server = await startServer({ core: testCore(), rendererDir: ui, host: '127.0.0.1', port: 0 });
  const host = `127.0.0.1:${server.port}`;
  const cookie = `hubcap_${server.port}=${server.secret}`;
  return { server, host, cookie, base: `http://${host}` };
}

function openWs(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, method: string, input: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  const id = Math.random().toString(36).slice(2);
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
}

describe('hubcap serve HTTP', () => {
  it('prints a loopback URL carrying the secret', async () => {
    const { server } = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?key=${server.secret}`);
  });

  it('refuses every request without the secret', async () => {
    const { base, host } = await start();
    for (const p of ['/', '/index.html', '/assets/app.js', '/api/ws']) {
      const r = await rawRequest(`${base}${p}`, { Host: host });
      expect(r.status).toBe(401);
      expect(r.body).not.toContain('Hubcap</title>');
    }
    expect((await rawRequest(`${base}/?key=wrong`, { Host: host })).status).toBe(401);
  });

  it('trades the key for an HttpOnly cookie and strips it from the URL', async () => {
    const { base, host, server } = await start();
    const r = await rawRequest(`${base}/?key=${server.secret}`, { Host: host });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    expect(r.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('serves the UI with a strict CSP once the cookie is present', async () => {
    const { base, host, cookie } = await start();
    const r = await rawRequest(`${base}/`, { Host: host, Cookie: cookie });
    expect(r.status).toBe(200);
    expect(r.body).toContain('Hubcap</title>');
    expect(r.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(r.headers['content-security-policy']).toContain(`ws://${host}`);
    expect(r.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses foreign Host (DNS rebinding) and foreign Origin even with the secret', async () => {
    const { base, host, cookie, server } = await start();
    expect((await rawRequest(`${base}/`, { Host: `evil.example:${server.port}`, Cookie: cookie })).status).toBe(403);
    expect((await rawRequest(`${base}/?key=${server.secret}`, { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await rawRequest(`${base}/`, { Host: host, Cookie: cookie, Origin: 'http://evil.example' })).status).toBe(403);
  });

  it('never serves a file outside the UI folder', async () => {
    const { base, host, cookie } = await start();
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/%00']) {
      const r = await rawRequest(`${base}${p}`, { Host: host, Cookie: cookie });
      expect(r.status).toBe(404);
      expect(r.body).not.toContain('secret');
    }
  });

  it('accepts only GET and HEAD', async () => {
    const { base, host, cookie } = await start();
    expect((await rawRequest(`${base}/`, { Host: host, Cookie: cookie }, 'POST')).status).toBe(405);
  });
});

describe('hubcap serve WebSocket', () => {
  it('refuses a WebSocket without the secret, or from a foreign Origin', async () => {
    const { base, host, cookie } = await start();
    const wsUrl = `${base.replace('http', 'ws')}/api/ws`;
    await expect(openWs(wsUrl, { Host: host })).rejects.toThrow(/401/);
    await expect(openWs(wsUrl, { Host: host, Cookie: cookie, Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(openWs(wsUrl, { Host: `evil.example:1`, Cookie: cookie })).rejects.toThrow(/403/);
  });

  it('carries the contract: calls, structured validation errors and events', async () => {
    const { base, host, cookie } = await start();
    const ws = await openWs(`${base.replace('http', 'ws')}/api/ws`, { Host: host, Cookie: cookie, Origin: base });
    const settings = await call(ws, 'settings.get', {});
    expect(settings.ok).toBe(true);
    const bad = await call(ws, 'settings.update', { theme: 'neon' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('theme') } });
    const unknown = await call(ws, 'shell.exec', { cmd: 'rm -rf /' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });

    const event = new Promise<unknown>((resolve) =>
      ws.on('message', (d) => {
        const f = JSON.parse(d.toString()) as { t: string; m?: string; a?: unknown[] };
        if (f.t === 'q' && f.m === 'event' && f.a?.[0] === 'settings.changed') resolve(f.a[1]);
      }),
    );
    await call(ws, 'settings.update', { theme: 'dark' });
    expect(await event).toMatchObject({ theme: 'dark' });
    // Garbage does not kill the connection.
    ws.send('not json');
    ws.send(JSON.stringify(null));
    expect((await call(ws, 'app.info', {})).ok).toBe(true);
    ws.close();
  });
});
