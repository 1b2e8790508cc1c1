/**
 * The Hub's requests over node:http, answered as WHATWG Responses (web-response.ts: not undici's,
 * whose first use costs a short command 38 ms of loading). Node's own fetch (undici)
 * compiles its HTTP parser from WebAssembly at its first request: ~250 ms of CPU, most of it on a
 * compiler thread, which a short download pays on a two-core machine while its bodies arrive (a
 * 16 MiB download's transfer ran ~100 ms longer beside it). node:http's parser is native, already
 * loaded for the bodies, and shares their kept-alive connections: the resolve request that
 * follows a HEAD reuses its socket. Callers cannot tell the difference; a request whose body is
 * not a string or bytes (a stream, a form, a Request object) still goes by fetch.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import zlib from 'node:zlib';
import { HubHeaders, HubResponse, wireHeaders } from './web-response';

const agentOpts = { keepAlive: true, maxSockets: 64 };
const httpAgent = new http.Agent(agentOpts);
const httpsAgent = new https.Agent(agentOpts);

/** The process's kept-alive connections, one pool per scheme, for every request Hubcap makes itself. */
export function agentFor(url: string | URL): http.Agent {
  return String(url).startsWith('https:') ? httpsAgent : httpAgent;
}

/** Statuses whose answers have no body (fetch's null-body statuses). */
const NULL_BODY = new Set([101, 204, 205, 304]);

function requestBody(body: RequestInit['body']): Buffer | null | undefined {
  if (body == null) return null;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return undefined; // a stream, a Blob, a form: fetch's business
}

function decoded(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip() : encoding === 'br' ? zlib.createBrotliDecompress() : null;
  if (!decoder) return res;
  res.on('error', (e) => decoder.destroy(e));
  decoder.on('close', () => res.destroy());
  return res.pipe(decoder);
}

function responseFrom(res: http.IncomingMessage, url: string, method: string, signal?: AbortSignal): Response {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 599) {
    res.destroy();
    throw new TypeError(`the server answered with status ${status}`);
  }
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string]);
  const headers = wireHeaders(pairs);
  let body: ReadableStream<Uint8Array> | null = null;
  if (method === 'HEAD' || NULL_BODY.has(status)) res.resume();
  else {
    const stream = decoded(res);
    // An abort mid-body fails the read with the signal's reason, as fetch's does (not "aborted").
    if (signal) {
      const stop = () => stream.destroy(signal.reason as Error);
      signal.addEventListener('abort', stop, { once: true });
      stream.once('close', () => signal.removeEventListener('abort', stop));
    }
    body = Readable.toWeb(stream) as NodeReadableStream<Uint8Array> as unknown as ReadableStream<Uint8Array>;
  }
  return new HubResponse(body, { status, statusText: res.statusMessage ?? '', headers, url });
}

/**
 * An answer not to be read (a redirect's, a refused one's): small ones are drained so the
 * kept-alive connection goes back to the pool; past 64 KiB the connection is closed instead, or a
 * hostile server could stream into it for ever.
 */
export function discardBody(res: http.IncomingMessage, limit = 64 * 1024): void {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    res.destroy();
    return;
  }
  let seen = 0;
  res.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limit) res.destroy();
  });
  res.on('error', () => undefined);
  res.resume();
}

/** A request that heard nothing for its idle time (no answer, or a body gone quiet). */
export function silent(url: string, idleMs: number): Error {
  return Object.assign(new Error(`${new URL(url).host} sent nothing for ${Math.round(idleMs / 1000)} s`), { code: 'ETIMEDOUT' });
}

/**
 * fetch over node:http. Redirects are never followed: the Hub's callers follow them by hand, hop by
 * hop. A connection silent for `idleMs` (waiting for the answer or within its body) fails, as
 * undici's own headers and body timeouts (300 s) did; HubHttp sets tighter bounds of its own.
 */
export function nodeFetchWith({ idleMs }: { idleMs: number }): typeof fetch {
  return async (input, init = {}) => {
    const body = requestBody(init.body);
    if (body === undefined || (typeof input !== 'string' && !(input instanceof URL))) return fetch(input, init);
    const url = String(input);
    const redirect = init.redirect ?? 'follow';
    if (redirect === 'follow') throw new TypeError("nodeFetch follows no redirects: pass redirect: 'manual' or 'error'");
    const method = (init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { accept: '*/*', 'accept-encoding': 'gzip, br' };
    for (const [k, v] of new HubHeaders(init.headers)) headers[k] = v;
    if (body) {
      headers['content-length'] = String(body.length);
      if (typeof init.body === 'string') headers['content-type'] ??= 'text/plain;charset=UTF-8';
    }
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const mod = url.startsWith('https:') ? https : url.startsWith('http:') ? http : null;
      if (!mod) {
        reject(new TypeError(`nodeFetch cannot fetch ${url.split(':')[0]}: URLs`));
        return;
      }
      let answer: http.IncomingMessage | undefined;
      const req = mod.request(url, { method, headers, agent: agentFor(url), ...(signal ? { signal } : {}) }, (res) => resolve((answer = res)));
      // Destroying the answer (not only the request) makes its body's read fail with this error, not "aborted".
      req.setTimeout(idleMs, () => (answer ?? req).destroy(silent(url, idleMs)));
      req.on('error', (e) => reject(signal?.aborted ? signal.reason : e));
      req.end(body ?? undefined);
    });
    const status = res.statusCode ?? 0;
    if (redirect === 'error' && status >= 300 && status < 400 && res.headers.location) {
      discardBody(res);
      throw new TypeError(`redirect to ${res.headers.location} refused`);
    }
    return responseFrom(res, url, method, signal);
  };
}

/** fetch over node:http with undici's own patience (300 s of silence). */
export const nodeFetch: typeof fetch = nodeFetchWith({ idleMs: 300_000 });
