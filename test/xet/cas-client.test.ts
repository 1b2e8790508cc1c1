/**
 * The CAS client asks for reconstruction plans with the CAS token only: v2 first and v1 when the
 * CAS has no v2 (remembered), one token refresh on a 401, the CAS's failures as typed errors naming
 * its host, and the plan checked before it is handed back. The plans are the fake CAS's own.
 */
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { nodeFetchWith } from '../../src-main/hub/node-fetch';
import { CasClient, openXorb } from '../../src-main/xet/cas-client';
import type { XetToken, XetTokenSource } from '../../src-main/xet/token';
import { mixedXetContent } from '../fakehub/xet/fixtures';
import { planFor, v1Answer, v2Answer } from '../fakehub/xet/plans';
import { XorbStore } from '../fakehub/xet/xorbs';
import { writeForever } from '../helpers/http';

const store = new XorbStore({ maxXorbBytes: 1 << 20 });
const file = store.add(mixedXetContent());
const whole = { start: 0, end: file.size };
const sign = (x: string) => `https://cas.example/xorbs/default/${x}?sig=1`;
const raw = planFor(store, file, whole);
if (!raw) throw new Error('no plan');
const V2 = JSON.stringify(v2Answer(raw, sign, 8));
const V1 = JSON.stringify(v1Answer(raw, sign));
const HASH = 'f'.repeat(64);

/** Tokens handed out in turn; `stale` records what the client said was no longer good. */
function tokens() {
  let n = 0;
  const stale: (string | undefined)[] = [];
  const source = {
    get: async (_signal: AbortSignal, old?: XetToken): Promise<XetToken> => {
      if (old) stale.push(old.accessToken);
      n++;
      return { accessToken: `cas-token-${n}`, casUrl: 'https://cas.example', exp: Date.now() / 1000 + 3600 };
    },
  } as unknown as XetTokenSource;
  return { source, stale };
}

/** A CAS answering each request from `answers` in turn, recording what was asked. */
function cas(answers: (() => Response)[]) {
  const asked: { url: string; auth: string | null; range: string | null }[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const h = new Headers(init?.headers);
    asked.push({ url: String(input), auth: h.get('authorization'), range: h.get('range') });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next();
  }) as typeof fetch;
  return { fetchFn, asked };
}

const signal = new AbortController().signal;
const ok = (body: string) => () => new Response(body, { headers: { 'content-type': 'application/json' } });

describe('CasClient.plan', () => {
  it('asks v2 with the CAS token and the byte range, and returns the checked plan', async () => {
    const { source } = tokens();
    const { fetchFn, asked } = cas([ok(V2)]);
    const plan = await new CasClient(source, { repo: 'org/m' }, fetchFn).plan(HASH, whole, file.size, signal);
    expect(plan.terms.reduce((n, t) => n + t.unpacked, 0)).toBe(file.size);
    expect(asked).toEqual([{ url: `https://cas.example/v2/reconstructions/${HASH}`, auth: 'Bearer cas-token-1', range: `bytes=0-${file.size - 1}` }]);
  });

  it('falls back to v1 when the CAS has no v2, and remembers it', async () => {
    const { source } = tokens();
    const { fetchFn, asked } = cas([() => new Response('', { status: 404 }), ok(V1), ok(V1)]);
    const client = new CasClient(source, {}, fetchFn);
    const first = await client.plan(HASH, whole, file.size, signal);
    await client.plan(HASH, whole, file.size, signal);
    expect(first.terms.reduce((n, t) => n + t.unpacked, 0)).toBe(file.size);
    expect(asked.map((a) => new URL(a.url).pathname.split('/')[1])).toEqual(['v2', 'v1', 'v1']);
  });

  it('refreshes the token once on a 401, then says what the CAS answered', async () => {
    const t = tokens();
    const { fetchFn, asked } = cas([() => new Response('', { status: 401 }), ok(V2)]);
    await new CasClient(t.source, {}, fetchFn).plan(HASH, whole, file.size, signal);
    expect(t.stale).toEqual(['cas-token-1']);
    expect(asked.map((a) => a.auth)).toEqual(['Bearer cas-token-1', 'Bearer cas-token-2']);
    const again = cas([() => new Response('', { status: 401 }), () => new Response('', { status: 401 })]);
    await expect(new CasClient(tokens().source, { path: 'm.gguf' }, again.fetchFn).plan(HASH, whole, file.size, signal)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { host: 'cas.example', path: 'm.gguf' },
    });
  });

  it('turns a failing CAS, a body that is not JSON, a lying plan and an unreachable CAS into typed errors', async () => {
    const run = (answer: () => Response) => new CasClient(tokens().source, {}, cas([answer]).fetchFn).plan(HASH, whole, file.size, signal);
    await expect(run(() => new Response('', { status: 503, headers: { 'retry-after': '4' } }))).rejects.toMatchObject({
      code: 'SERVER_ERROR',
      details: { host: 'cas.example', retryAfterSeconds: 4 },
    });
    await expect(run(ok('<html>'))).rejects.toMatchObject({ code: 'SERVER_ERROR', message: /not JSON/ });
    await expect(run(ok(JSON.stringify({ terms: 'all' })))).rejects.toMatchObject({ problem: 'plan' });
    const down = (async () => {
      throw Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof fetch;
    await expect(new CasClient(tokens().source, {}, down).plan(HASH, whole, file.size, signal)).rejects.toMatchObject({
      code: 'NETWORK',
      message: /cas\.example \(ECONNREFUSED\)/,
    });
  });

  it('asks a real CAS over node:http by default, without Node’s fetch, and follows no redirect', async () => {
    const seen: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url?.startsWith('/v2/')) res.writeHead(200, { 'content-type': 'application/json' }).end(V2);
      else res.writeHead(302, { location: '/v2/elsewhere' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const casUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const source = { get: async (): Promise<XetToken> => ({ accessToken: 'cas-token', casUrl, exp: Date.now() / 1000 + 3600 }) } as unknown as XetTokenSource;
    const created: unknown[] = [];
    const listener = (m: unknown) => created.push(m);
    diagnostics.subscribe('undici:request:create', listener);
    try {
      const plan = await new CasClient(source, {}).plan(HASH, whole, file.size, signal);
      expect(plan.terms.reduce((n, t) => n + t.unpacked, 0)).toBe(file.size);
      const moved = {
        get: async (): Promise<XetToken> => ({ accessToken: 'cas-token', casUrl: `${casUrl}/moved`, exp: Date.now() / 1000 + 3600 }),
      } as unknown as XetTokenSource;
      await expect(new CasClient(moved, {}).plan(HASH, whole, file.size, signal)).rejects.toMatchObject({ code: 'NETWORK' });
    } finally {
      diagnostics.unsubscribe('undici:request:create', listener);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    expect(created).toEqual([]);
    expect(seen).toEqual(['Bearer cas-token', 'Bearer cas-token']);
  });

  it('fails a CAS that never answers, or whose plan goes quiet, instead of waiting for ever', async () => {
    const server = http.createServer((req, res) => {
      if (req.url?.includes('quiet')) res.writeHead(200, { 'content-type': 'application/json' }).write('{"terms":');
      // else: never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const at = (casUrl: string) =>
      ({ get: async (): Promise<XetToken> => ({ accessToken: 't', casUrl, exp: Date.now() / 1000 + 3600 }) }) as unknown as XetTokenSource;
    try {
      const quick = nodeFetchWith({ idleMs: 300 });
      await expect(new CasClient(at(base), {}, quick).plan(HASH, whole, file.size, signal)).rejects.toMatchObject({ code: 'NETWORK' });
      await expect(new CasClient(at(`${base}/quiet`), {}, quick).plan(HASH, whole, file.size, signal)).rejects.toMatchObject({ code: 'NETWORK' });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('openXorb', () => {
  it('fails a storage host silent before its answer, and closes a refused answer’s endless body', async () => {
    let closedAt = 0;
    const server = http.createServer((req, res) => {
      if (req.url === '/silent') return;
      // 200 instead of 206, with a body that never ends: reading it would never stop
      res.writeHead(200);
      res.on('close', () => (closedAt = Date.now()));
      writeForever(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const t0 = Date.now();
      await expect(openXorb(`${base}/silent`, [{ start: 0, end: 9 }], signal, 300)).rejects.toMatchObject({ code: 'NETWORK', message: /sent nothing/ });
      expect(Date.now() - t0).toBeLessThan(5000);
      await expect(openXorb(`${base}/endless`, [{ start: 0, end: 9 }], signal)).rejects.toMatchObject({ code: 'SERVER_ERROR' });
      const refusedAt = Date.now();
      await expect.poll(() => closedAt, { timeout: 2000 }).toBeGreaterThan(0);
      expect(closedAt - refusedAt).toBeLessThan(1000);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
