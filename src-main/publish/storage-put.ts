/**
 * The one request of an upload that carries the bytes: a PUT of a file (or one part of it) to the
 * storage host the LFS batch named. @huggingface/hub makes it with `fetch`; we answer that call
 * with node:http instead, because fetch (undici) streams a request body through web streams at a
 * third of the speed of piping a file into a socket here (150 vs 450 MB/s on loopback, see
 * docs/performance.md) and its Readable.toWeb bridge reads ahead of the socket. Only the transport
 * changes: the URL, headers and answer are the library's, and the Hub's token never goes here.
 * Xorbs for the CAS go the same way (postBytes), for memory.
 */
import { ApiError } from '../contract/errors';
import http from 'node:http';
import https from 'node:https';
import type { CountingFileBlob } from './file-blob';
import { untrustedReadStream } from '../base/untrusted-file';

/** Bytes read from disk ahead of the socket: small, so memory stays flat whatever the file's size. */
const CHUNK = 256 * 1024;

/** The answer to a request that sent bytes: small (an ETag, a JSON line, an error), so at most 64 KiB of it is kept. */
function answerOf(res: http.IncomingMessage, resolve: (r: Response) => void, reject: (e: Error) => void): void {
  const chunks: Buffer[] = [];
  let seen = 0;
  res.on('data', (c: Buffer) => {
    seen += c.length;
    if (seen <= 64 * 1024) chunks.push(c);
  });
  res.on('end', () => {
    const h = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
    const status = res.statusCode ?? 500;
    resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: h }));
  });
  res.on('error', reject);
}

/**
 * A POST of bytes already in memory (a xorb the library built, up to 64 MiB) written straight into
 * the socket: fetch (undici) copies a Uint8Array body first, a second 64 MiB per xorb in flight.
 * The headers are sent as given (the CAS's own token is in them; xet-route.ts checked the origin).
 */
export function postBytes(url: string, body: Uint8Array, headers: Headers, signal: AbortSignal): Promise<Response> {
  const u = new URL(url);
  const client = u.protocol === 'https:' ? https : http;
  const outgoing: Record<string, string> = {};
  headers.forEach((v, k) => {
    if (k !== 'content-length') outgoing[k] = v;
  });
  outgoing['content-length'] = String(body.byteLength);
  return new Promise<Response>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError'));
    const req = client.request(u, { method: 'POST', headers: outgoing, signal }, (res) => answerOf(res, resolve, reject));
    req.on('error', reject);
    req.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });
}

export async function putFile(url: string, blob: CountingFileBlob, headers: Headers, signal: AbortSignal, onRead: (bytes: number) => void): Promise<Response> {
  // Opened (and checked: a regular file, the one chosen) before the request, so a refusal sends nothing.
  const file = blob.size === 0 ? null : (await untrustedReadStream(blob.path, { start: blob.start, end: blob.end - 1, highWaterMark: CHUNK })).stream;
  const u = new URL(url);
  const client = u.protocol === 'https:' ? https : http;
  const outgoing: Record<string, string> = {};
  headers.forEach((v, k) => {
    if (k !== 'authorization' && k !== 'content-length') outgoing[k] = v;
  });
  outgoing['content-length'] = String(blob.size);
  return new Promise<Response>((resolve, reject) => {
    if (signal.aborted) {
      file?.destroy();
      reject(signal.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError'));
      return;
    }
    const req = client.request(u, { method: 'PUT', headers: outgoing, signal }, (res) => answerOf(res, resolve, reject));
    req.on('error', reject);
    if (!file) {
      req.end();
      return;
    }
    let sent = 0;
    file.on('data', (c) => {
      sent += c.length;
      onRead(sent);
    });
    file.on('error', (e) => req.destroy(e));
    file.on('end', () => {
      if (sent !== blob.size) req.destroy(new ApiError('INVALID_PATH', `${blob.path} changed while it was being sent: publish again once it is final.`));
    });
    file.pipe(req);
  });
}
