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
import { HubHeaders, HubResponse } from './web-response';

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

function responseFrom(res: http.IncomingMessage, url: string, method: string): Response {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 599) {
    res.destroy();
    throw new TypeError(`the server answered with status ${status}`);
  }
  const headers = new HubHeaders();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    try {
      headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
    } catch {
      // a header value fetch's Headers refuses (control characters) is dropped, as fetch would fail on it
    }
  }
  let body: ReadableStream<Uint8Array> | null = null;
  if (method === 'HEAD' || NULL_BODY.has(status)) res.resume();
  else body = Readable.toWeb(decoded(res)) as NodeReadableStream<Uint8Array> as unknown as ReadableStream<Uint8Array>;
  return new HubResponse(body, { status, statusText: res.statusMessage ?? '', headers, url });
}

/** fetch over node:http. Redirects are never followed: the Hub's callers follow them by hand, hop by hop. */
export const nodeFetch: typeof fetch = async (input, init = {}) => {
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
    const req = mod.request(url, { method, headers, agent: agentFor(url), ...(signal ? { signal } : {}) }, resolve);
    req.on('error', (e) => reject(signal?.aborted ? signal.reason : e));
    req.end(body ?? undefined);
  });
  const status = res.statusCode ?? 0;
  if (redirect === 'error' && status >= 300 && status < 400 && res.headers.location) {
    res.resume();
    throw new TypeError(`redirect to ${res.headers.location} refused`);
  }
  return responseFrom(res, url, method);
};
