import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../src-main/serve/server';
import { testCore } from '../helpers/core';
import { rawRequest } from '../helpers/http';
import { tmpDir } from '../helpers/tmp';
import { cachedLlamaModel } from '../fixtures/llama-model';

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
  const base = `http://${host}`;
  // Sign in as the browser does: the key is traded for the asset cookie and a session.
  const trade = await rawRequest(`${base}/?key=${server.secret}`, { Host: host });
  const cookie = (trade.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
  const session = new URL(trade.headers.location ?? '', base).searchParams.get('session') as string;
  return { server, host, cookie, session, base, ui };
}

function openWs(url: string, headers: Record<string, string>, session?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, session ? ['hubcap.v1', `hubcap.session.${session}`] : ['hubcap.v1'], { headers });
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

  it('trades the key for an HttpOnly cookie that is not the key, and a session in the URL it redirects to', async () => {
    const { base, host, server, cookie, session } = await start();
    const r = await rawRequest(`${base}/?key=${server.secret}`, { Host: host });
    expect(r.status).toBe(303);
    expect(r.headers.location).toMatch(/^\/\?session=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(r.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookie).toMatch(new RegExp(`^hubcap_${server.port}=`));
    expect(cookie).not.toContain(server.secret);
    expect(session).not.toBe(server.secret);
    // The session check the page makes after a reconnect fails.
    expect((await rawRequest(`${base}/api/session`, { Host: host, Cookie: cookie, Origin: base, 'x-hubcap-session': session })).status).toBe(204);
    expect((await rawRequest(`${base}/api/session`, { Host: host, Cookie: cookie, Origin: base, 'x-hubcap-session': 'stale' })).status).toBe(401);
    expect((await rawRequest(`${base}/api/session`, { Host: host, Cookie: cookie, 'x-hubcap-session': session })).status).toBe(401);
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
    const { base, host, cookie, session } = await start();
    const wsUrl = `${base.replace('http', 'ws')}/api/ws`;
    await expect(openWs(wsUrl, { Host: host })).rejects.toThrow(/401/);
    await expect(openWs(wsUrl, { Host: host, Cookie: cookie, Origin: 'http://evil.example' }, session)).rejects.toThrow(/403/);
    await expect(openWs(wsUrl, { Host: `evil.example:1`, Cookie: cookie }, session)).rejects.toThrow(/403/);
  });

  it('refuses a replayed cookie: no Origin, or no session, is no WebSocket', async () => {
    const { base, host, cookie, session, server } = await start();
    const wsUrl = `${base.replace('http', 'ws')}/api/ws`;
    await expect(openWs(wsUrl, { Host: host, Cookie: cookie }, session)).rejects.toThrow(/403/);
    await expect(openWs(wsUrl, { Host: host, Cookie: cookie, Origin: base })).rejects.toThrow(/401/);
    await expect(openWs(wsUrl, { Host: host, Cookie: cookie, Origin: base }, 'forged')).rejects.toThrow(/401/);
    await expect(openWs(`${wsUrl}?key=${server.secret}`, { Host: host, Origin: base })).rejects.toThrow(/401/);
    const ws = await openWs(wsUrl, { Host: host, Cookie: cookie, Origin: base }, session);
    expect(ws.protocol).toBe('hubcap.v1');
    ws.close();
  });

  it('carries the contract: calls, structured validation errors and events', async () => {
    const { base, host, cookie, session } = await start();
    const ws = await openWs(`${base.replace('http', 'ws')}/api/ws`, { Host: host, Cookie: cookie, Origin: base }, session);
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

describe('hubcap serve survives what clients do', () => {
  it('keeps answering when a static file is truncated or deleted mid-stream', async () => {
    const { base, host, cookie, ui } = await start();
    const big = path.join(ui, 'assets', 'big.js');
    fs.writeFileSync(big, Buffer.alloc(64 << 20, 0x61));
    for (const vanish of [() => fs.truncateSync(big, 1000), () => fs.rmSync(big)]) {
      if (!fs.existsSync(big)) fs.writeFileSync(big, Buffer.alloc(64 << 20, 0x61));
      await new Promise<void>((resolve) => {
        const req = http.get(`${base}/assets/big.js`, { headers: { Host: host, Cookie: cookie } }, (res) => {
          res.once('data', () => vanish());
          res.on('data', () => undefined);
          res.on('end', resolve);
          res.on('error', () => resolve());
          res.on('aborted', () => resolve());
        });
        req.on('error', () => resolve());
      });
      expect((await rawRequest(`${base}/`, { Host: host, Cookie: cookie })).status).toBe(200);
    }
  });

  it('drops an upload that stops sending, removes its partial, and keeps answering', async () => {
    const core = testCore();
    const ui = tmpDir('hubcap-ui-');
    fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>Hubcap</title>');
    const uploads = tmpDir('hubcap-up-');
    server = await startServer({ core, rendererDir: ui, host: '127.0.0.1', port: 0, uploadDir: uploads, uploadIdleMs: 300 });
    const host = `127.0.0.1:${server.port}`;
    const base = `http://${host}`;
    const trade = await rawRequest(`${base}/?key=${server.secret}`, { Host: host });
    const session = new URL(trade.headers.location ?? '', base).searchParams.get('session') as string;
    const cookie = (trade.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
    const closed = await new Promise<string>((resolve) => {
      const headers = { Host: host, Cookie: cookie, Origin: base, 'x-hubcap-session': session, 'Content-Length': '100000' };
      const req = http.request(`${base}/api/upload?name=slow.gguf`, { method: 'POST', headers }, (res) => resolve(`answered ${res.statusCode}`));
      req.on('error', () => resolve('closed'));
      req.write(Buffer.alloc(10));
    });
    expect(['closed', 'answered 500']).toContain(closed);
    await expect.poll(() => fs.readdirSync(uploads).length).toBe(0);
    // One that keeps sending is never cut, however long it takes (here several idle periods).
    const model = fs.readFileSync(cachedLlamaModel());
    const slow = await new Promise<number | undefined>((resolve) => {
      const headers = { Host: host, Cookie: cookie, Origin: base, 'x-hubcap-session': session, 'Content-Length': String(model.length) };
      const req = http.request(`${base}/api/upload?name=steady.gguf`, { method: 'POST', headers }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      const parts = 8;
      const step = Math.ceil(model.length / parts);
      let i = 0;
      const t = setInterval(() => {
        req.write(model.subarray(i * step, (i + 1) * step));
        if (++i === parts) {
          clearInterval(t);
          req.end();
        }
      }, 200);
    });
    expect(slow).toBe(200);
    // Without the session an upload is refused outright.
    expect((await rawRequest(`${base}/api/upload?name=x.gguf`, { Host: host, Cookie: cookie, Origin: base }, 'POST')).status).toBe(403);
    expect((await rawRequest(`${base}/`, { Host: host })).status).toBe(401);
  });
});
