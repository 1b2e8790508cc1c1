/**
 * openBody, the raw GET under every classic download: a server silent before its answer fails it
 * within the Hub client's timeout (the body's own stalls are the reader's), and a redirect hop's
 * body is never drained past a few KiB (a hostile server could stream into it for ever).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBody } from '../../src-main/downloads/http-stream';
import { HubHttp } from '../../src-main/hub/http';
import { writeForever } from '../helpers/http';

let server: http.Server;
let base = '';
let endlessClosedAt = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/silent') return;
    if (req.url === '/file') {
      res.writeHead(206, { 'content-range': 'bytes 0-4/5', 'content-length': '5' }).end('hello');
      return;
    }
    // /endless: a redirect to /file whose own body never ends
    res.writeHead(302, { location: '/file' });
    res.on('close', () => (endlessClosedAt = Date.now()));
    writeForever(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const hub = () => new HubHttp({ endpoint: base, token: () => null, offline: () => false, timeoutMs: 300 });
const signal = new AbortController().signal;

describe('openBody', () => {
  it('fails a server silent before its answer within the Hub client’s timeout, as a network error', async () => {
    const t0 = Date.now();
    await expect(openBody(hub(), `${base}/silent`, { start: 0 }, signal)).rejects.toMatchObject({ code: 'NETWORK' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('follows a redirect whose body never ends, closing that body rather than draining it', async () => {
    const opened = await openBody(hub(), `${base}/endless`, { start: 0, end: 4 }, signal);
    const at = Date.now();
    expect(opened.status).toBe(206);
    let text = '';
    for await (const c of opened.res) text += String(c);
    expect(text).toBe('hello');
    await expect.poll(() => endlessClosedAt, { timeout: 2000 }).toBeGreaterThan(0);
    expect(endlessClosedAt - at).toBeLessThan(1000);
  });

  it('an answered request is not cut by the wait: a body slower than it still reads', async () => {
    const slowServer = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '2' });
      res.write('a');
      setTimeout(() => res.end('b'), 700);
    });
    await new Promise<void>((r) => slowServer.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}/f`;
    try {
      const opened = await openBody(hub(), url, null, signal);
      let text = '';
      for await (const c of opened.res) text += String(c);
      expect(text).toBe('ab');
    } finally {
      slowServer.closeAllConnections();
      await new Promise((r) => slowServer.close(r));
    }
  });
});
