/**
 * `hubcap serve`: the same core, headless, with the same UI served to a browser. One loopback
 * HTTP server serves the built renderer and carries the contract over one WebSocket. No request a
 * client sends can take it down: every target is parsed defensively (400), stream errors end that
 * response only, and uploads have an idle timeout instead of Node's 5-minute request limit.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { listenFailure } from '../base/keyed-server';
import { ApiError } from '../contract/errors';
import { SESSION_HEADER, SESSION_PATH, SESSION_QUERY, UPLOAD_PATH, WS_PATH, WS_PROTOCOL } from '../contract/wire';
import type { Core } from '../core/core';
import { attachConnection } from '../rpc/connection';
import { dispatch } from '../rpc/dispatch';
import type { AddResult } from '../contract/library';
import { contentSecurityPolicy } from '../ui-assets/csp';
import { contentTypeFor, resolveAssetPath } from '../ui-assets/files';
import {
  assetCookie,
  assetCookieValue,
  cookieName,
  hasOwnOrigin,
  isAllowedHost,
  isSameOrigin,
  isSession,
  mintSession,
  newSecret,
  parseTarget,
  readCookie,
  secretsEqual,
  sessionFromProtocols,
} from './access';

export interface ServeOptions {
  core: Core;
  /** Where files dropped in a browser are stored (Hubcap's managed models folder). */
  uploadDir?: string;
  rendererDir: string;
  host?: string;
  port?: number;
  secret?: string;
  /** An upload with no bytes for this long is dropped and its partial file removed. */
  uploadIdleMs?: number;
  /** Told of a server error after it listens (logged, not fatal); stderr when absent. */
  onError?: (error: Error) => void;
}

export interface RunningServer {
  url: string;
  /** URL without the secret, for messages and for tests of refusal. */
  baseUrl: string;
  port: number;
  secret: string;
  /** The Node server underneath, for its events (tests emit an error on it). */
  readonly http: http.Server;
  close(): Promise<void>;
}

const MAX_WS_MESSAGE = 1024 * 1024;

const NOT_AUTHORIZED = 'Hubcap: this address needs the access key. Open the full URL that `hubcap serve` printed (it ends in ?key=…).\n';

function plain(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(message);
}

/**
 * Listens, or fails with a typed error saying why in words (a port taken is CONFLICT, with the
 * system's code in `details`) instead of the bare EADDRINUSE Node throws.
 */
function listenOn(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const taken = error.code === 'EADDRINUSE';
      reject(
        new ApiError(taken ? 'CONFLICT' : 'NOT_AVAILABLE', listenFailure(error, { port, host }, 'hubcap serve'), { errno: error.code ?? null, host, port }),
      );
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const secret = opts.secret ?? newSecret();
  // The cookie only opens the UI's files; it is not the key, and acting needs a session.
  const assetSecret = assetCookieValue(secret);
  let port = opts.port ?? 0;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_MESSAGE,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const sockets = new Set<WebSocket>();

  const server = http.createServer((req, res) => {
    const url = parseTarget(req.url);
    if (!url) return plain(res, 400, 'Hubcap: bad request target.\n');
    const verdict = checkRequest(req, url, host, port, secret, assetSecret);
    if (verdict.status !== 200) return plain(res, verdict.status, verdict.message);
    if (verdict.trade) {
      // Trade the key for the asset cookie and a session the page keeps; drop the key from the URL.
      url.searchParams.delete('key');
      url.searchParams.set(SESSION_QUERY, mintSession(secret));
      res.writeHead(303, { 'Set-Cookie': assetCookie(port, assetSecret), Location: url.pathname + url.search, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (url.pathname === SESSION_PATH) {
      // A page asks whether its session is still good (after a restart it is not).
      const known = hasOwnOrigin(req.headers.origin, req.headers.host) && isSession(headerValue(req.headers[SESSION_HEADER]), secret);
      res.writeHead(known ? 204 : 401, { 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (url.pathname === UPLOAD_PATH && req.method === 'POST') {
      if (!hasOwnOrigin(req.headers.origin, req.headers.host) || !isSession(headerValue(req.headers[SESSION_HEADER]), secret)) {
        req.resume();
        return plain(res, 403, 'Hubcap: uploads need this page’s session.\n');
      }
      void receiveUpload(req, res, url, opts.core, opts.uploadDir ?? opts.core.library.registry.managedDir, opts.uploadIdleMs ?? 60_000);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      req.resume();
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    serveAsset(opts.rendererDir, url.pathname, req.method === 'HEAD', res, `ws://${req.headers.host ?? ''}`);
  });
  // Node's own defaults cut any request at 5 minutes (a big upload over a tunnel): requests are
  // bounded here by the header timeout and, for uploads, by an idle timeout on the body.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    if (socket.writable && !socket.destroyed) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });

  server.on('upgrade', (req, socket: Duplex, head) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number) => {
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = parseTarget(req.url);
    if (!url) return refuse(400);
    const verdict = checkRequest(req, url, host, port, secret, assetSecret);
    if (verdict.status !== 200 || verdict.trade) return refuse(verdict.status !== 200 ? verdict.status : 401);
    if (url.pathname !== WS_PATH) return refuse(404);
    // Acting needs a browser on this very origin holding a session minted from the key.
    if (!hasOwnOrigin(req.headers.origin, req.headers.host)) return refuse(403);
    if (!isSession(sessionFromProtocols(headerValue(req.headers['sec-websocket-protocol'])), secret)) return refuse(401);
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      const listeners = new Set<(data: unknown) => void>();
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString();
        for (const fn of listeners) fn(text);
      });
      const connection = attachConnection(opts.core, {
        post: (data) => {
          if (ws.readyState === ws.OPEN) ws.send(data as string);
        },
        on: (fn) => listeners.add(fn),
        off: (fn) => listeners.delete(fn),
        serialize: (data) => JSON.stringify(data),
        deserialize: (data) => JSON.parse(String(data)) as unknown,
      });
      ws.on('close', () => {
        sockets.delete(ws);
        connection.close();
      });
      ws.on('error', () => ws.terminate());
    });
  });

  await listenOn(server, port, host);
  // Past listening, an 'error' with no listener would end the whole process: it is said, and serving goes on.
  const onError = opts.onError ?? ((error: Error) => console.error(`hubcap serve: server error: ${error.message}`));
  server.on('error', onError);
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const baseUrl = `http://${shownHost}:${port}/`;

  return {
    url: `${baseUrl}?key=${secret}`,
    baseUrl,
    port,
    secret,
    http: server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

interface Verdict {
  status: 200 | 401 | 403;
  message: string;
  /** The key is in the URL: trade it for a cookie and a session. */
  trade?: boolean;
}

function checkRequest(req: http.IncomingMessage, url: URL, bindHost: string, port: number, secret: string, assetSecret: string): Verdict {
  const hostHeader = req.headers.host;
  if (!isAllowedHost(hostHeader, bindHost, port)) {
    return { status: 403, message: 'Hubcap: this Host is not allowed (DNS-rebinding protection).\n' };
  }
  if (!isSameOrigin(req.headers.origin, hostHeader)) {
    return { status: 403, message: 'Hubcap: cross-origin requests are refused.\n' };
  }
  if (secretsEqual(url.searchParams.get('key'), secret)) return { status: 200, message: '', trade: true };
  if (secretsEqual(readCookie(req.headers.cookie, cookieName(port)), assetSecret)) return { status: 200, message: '' };
  return { status: 401, message: NOT_AUTHORIZED };
}

function serveAsset(rootDir: string, pathname: string, headOnly: boolean, res: http.ServerResponse, wsOrigin: string): void {
  const file = resolveAssetPath(rootDir, pathname);
  let stat: fs.Stats | null = null;
  try {
    stat = file ? fs.statSync(file) : null;
  } catch {
    stat = null;
  }
  if (!file || !stat?.isFile()) return plain(res, 404, 'Not found\n');
  const isHtml = file.endsWith('.html');
  res.writeHead(200, {
    'Content-Type': contentTypeFor(file),
    'Content-Length': stat.size,
    'Content-Security-Policy': contentSecurityPolicy([wsOrigin]),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': isHtml ? 'no-store' : 'private, max-age=31536000, immutable',
  });
  if (headOnly) {
    res.end();
    return;
  }
  // A file that vanishes or shrinks mid-stream ends this response, never the server.
  pipeline(fs.createReadStream(file), res).catch(() => res.destroy());
}

/**
 * A file dropped in the browser, streamed into the managed models folder, then registered like any
 * local checkpoint. The name is reduced to a safe basename; a file that fails validation, and the
 * partial of an upload that stalls or is cut, are removed.
 */
async function receiveUpload(req: http.IncomingMessage, res: http.ServerResponse, url: URL, core: Core, dir: string, idleMs: number): Promise<void> {
  const reply = (status: number, body: unknown) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const name = path
    .basename(url.searchParams.get('name') ?? '')
    .replace(/[^\w.() -]/g, '_')
    .slice(0, 200);
  if (!/\.(gguf|safetensors)$/i.test(name)) {
    req.resume();
    return reply(400, { added: [], skipped: [{ path: name || '(no name)', reason: 'Only .gguf and .safetensors files can be added.' }] });
  }
  const folder = path.join(dir, randomUUID());
  const target = path.join(folder, name);
  // No total time limit (a 40 GB GGUF over a tunnel takes hours); a body that stops is dropped.
  req.setTimeout(idleMs, () => req.destroy(new Error(`no data for ${Math.round(idleMs / 1000)} s`)));
  try {
    await fs.promises.mkdir(folder, { recursive: true });
    await pipeline(req, fs.createWriteStream(`${target}.part`));
    await fs.promises.rename(`${target}.part`, target);
    // Through the contract, exactly as a desktop drop is.
    const answer = await dispatch(core.handlers, 'library.add', { paths: [target] });
    if (!answer.ok) throw new Error(answer.error.message);
    const result = answer.value as AddResult;
    if (!result.added.length) await fs.promises.rm(folder, { recursive: true, force: true });
    reply(200, { ...result, skipped: result.skipped.map((s) => ({ ...s, path: name })) });
  } catch (error) {
    await fs.promises.rm(folder, { recursive: true, force: true }).catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOSPC' ? 'the disk is full' : (error as Error).message;
    reply(500, { added: [], skipped: [{ path: name, reason: `The upload failed (${reason}); nothing was kept.` }] });
  }
}
