/**
 * nodeFetch answers as fetch would (status, headers, bodies decoded, null bodies, redirects left to
 * the caller, aborts rejecting with the signal's reason), and the Hub's own requests go through it
 * rather than Node's fetch, whose WebAssembly parser costs a short download ~250 ms of CPU.
 */
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubHttp } from '../../src-main/hub/http';
import { nodeFetch, nodeFetchWith } from '../../src-main/hub/node-fetch';
import { writeForever } from '../helpers/http';

let server: http.Server;
let base = '';
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string; socket: number }[] = [];
const sockets = new WeakMap<object, number>();
let socketCount = 0;
let endlessClosedAt = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, ++socketCount);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, socket: sockets.get(req.socket) ?? 0 });
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/json') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-repo-commit': 'abc' });
        res.end(JSON.stringify({ ok: true, method: req.method }));
      } else if (u.pathname === '/gzip') {
        res.writeHead(200, { 'content-encoding': 'gzip' });
        res.end(zlib.gzipSync('unzipped text'));
      } else if (u.pathname === '/br') {
        res.writeHead(200, { 'content-encoding': 'br' });
        res.end(zlib.brotliCompressSync('unbrotlied text'));
      } else if (u.pathname === '/redirect') {
        res.writeHead(302, { location: '/json' });
        res.end('moved');
      } else if (u.pathname === '/empty') {
        res.writeHead(204);
        res.end();
      } else if (u.pathname === '/silent') {
        // never answers
      } else if (u.pathname === '/endless-redirect') {
        // a redirect whose body never ends: a client that drains it would read for ever
        res.writeHead(302, { location: '/json' });
        res.on('close', () => (endlessClosedAt = Date.now()));
        writeForever(res);
      } else if (u.pathname === '/slow') {
        res.writeHead(200);
        res.write('first part');
        // the rest never comes: the client aborts
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'Repository not found' }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('nodeFetch', () => {
  it('answers with status, headers, the URL and a readable body', async () => {
    const res = await nodeFetch(`${base}/json`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.url).toBe(`${base}/json`);
    expect(res.headers.get('x-repo-commit')).toBe('abc');
    expect(await res.json()).toEqual({ ok: true, method: 'GET' });
    const missing = await nodeFetch(`${base}/nothing`, { redirect: 'manual' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'Repository not found' });
  });

  it('decodes gzip and brotli bodies, as fetch does', async () => {
    expect(await (await nodeFetch(`${base}/gzip`, { redirect: 'manual' })).text()).toBe('unzipped text');
    expect(await (await nodeFetch(`${base}/br`, { redirect: 'manual' })).text()).toBe('unbrotlied text');
    expect(seen.at(-1)?.headers['accept-encoding']).toBe('gzip, br');
  });

  it('gives HEAD and 204 answers a null body', async () => {
    const head = await nodeFetch(`${base}/json`, { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    const empty = await nodeFetch(`${base}/empty`, { redirect: 'manual' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('hands a redirect back with redirect: manual, refuses it with redirect: error, and will not follow', async () => {
    const res = await nodeFetch(`${base}/redirect`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/json');
    await res.body?.cancel();
    await expect(nodeFetch(`${base}/redirect`, { redirect: 'error' })).rejects.toThrow(/redirect/);
    await expect(nodeFetch(`${base}/json`)).rejects.toThrow(/follows no redirects/);
  });

  it('sends string bodies with their length and fetch’s default content type, and the caller’s headers', async () => {
    const res = await nodeFetch(`${base}/json`, { method: 'POST', body: '{"paths":["a"]}', headers: { authorization: 'Bearer t' }, redirect: 'manual' });
    expect(await res.json()).toEqual({ ok: true, method: 'POST' });
    const got = seen.at(-1);
    expect(got?.body).toBe('{"paths":["a"]}');
    expect(got?.headers['content-length']).toBe('15');
    expect(got?.headers['content-type']).toBe('text/plain;charset=UTF-8');
    expect(got?.headers.authorization).toBe('Bearer t');
  });

  it('rejects with the signal’s reason, before the answer and in the middle of a body', async () => {
    const before = new AbortController();
    before.abort(new Error('stopped by the user'));
    await expect(nodeFetch(`${base}/json`, { signal: before.signal, redirect: 'manual' })).rejects.toThrow('stopped by the user');
    const during = new AbortController();
    const res = await nodeFetch(`${base}/slow`, { signal: during.signal, redirect: 'manual' });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first part');
    const next = reader.read();
    during.abort(new Error('cancelled mid-body'));
    await expect(next).rejects.toThrow('cancelled mid-body');
  });

  it('fails a request that hears nothing for its idle time: no answer, or a body gone quiet', async () => {
    const quick = nodeFetchWith({ idleMs: 300 });
    const t0 = Date.now();
    await expect(quick(`${base}/silent`, { redirect: 'manual' })).rejects.toMatchObject({ code: 'ETIMEDOUT', message: /sent nothing for 0 s/ });
    const res = await quick(`${base}/slow`, { redirect: 'manual' });
    await expect(res.text()).rejects.toThrow(/sent nothing/);
    expect(Date.now() - t0).toBeLessThan(5000);
    // HubHttp names it a network failure of that host.
    const hub = new HubHttp({ endpoint: base, token: () => null, offline: () => false, fetch: quick });
    await expect(hub.fetch(`${base}/silent`, { retries: 0 })).rejects.toMatchObject({ code: 'NETWORK' });
  });

  it('closes a refused redirect whose body never ends instead of draining it', async () => {
    endlessClosedAt = 0;
    await expect(nodeFetch(`${base}/endless-redirect`, { redirect: 'error' })).rejects.toThrow(/redirect/);
    const refusedAt = Date.now();
    await expect.poll(() => endlessClosedAt, { timeout: 2000 }).toBeGreaterThan(0);
    expect(endlessClosedAt - refusedAt).toBeLessThan(1000);
  });

  it('keeps connections alive between requests', async () => {
    const from = seen.length;
    await (await nodeFetch(`${base}/json`, { redirect: 'manual' })).text();
    await (await nodeFetch(`${base}/json`, { redirect: 'manual' })).text();
    const [a, b] = seen.slice(from);
    expect(a?.socket).toBe(b?.socket);
  });
});

describe('HubHttp', () => {
  it('makes its requests without Node’s fetch (no undici request is created)', async () => {
    const created: unknown[] = [];
    const listener = (m: unknown) => created.push(m);
    diagnostics.subscribe('undici:request:create', listener);
    try {
      const hub = new HubHttp({ endpoint: base, token: () => 'hf_x', offline: () => false });
      const res = await hub.fetch(`${base}/redirect`);
      expect(await res.json()).toEqual({ ok: true, method: 'GET' });
      expect(seen.at(-1)?.headers.authorization).toBe('Bearer hf_x');
    } finally {
      diagnostics.unsubscribe('undici:request:create', listener);
    }
    expect(created).toEqual([]);
  });
});
