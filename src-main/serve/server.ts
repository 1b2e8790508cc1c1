/**
 * `hubcap serve`: the same core, headless, with the same UI served to a browser. One loopback
 * HTTP server serves the built renderer and carries the contract over one WebSocket.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UPLOAD_PATH, WS_PATH } from '../contract/wire';
import type { Core } from '../core/core';
import { attachConnection } from '../core/connection';
import { contentSecurityPolicy } from '../ui-assets/csp';
import { contentTypeFor, resolveAssetPath } from '../ui-assets/files';
import { cookieName, isAllowedHost, isSameOrigin, newSecret, readCookie, secretsEqual, sessionCookie } from './access';

export interface ServeOptions {
  core: Core;
  /** Where files dropped in a browser are stored (Hubcap's managed models folder). */
  uploadDir?: string;
  rendererDir: string;
  host?: string;
  port?: number;
  secret?: string;
}

export interface RunningServer {
  url: string;
  /** URL without the secret, for messages and for tests of refusal. */
  baseUrl: string;
  port: number;
  secret: string;
  close(): Promise<void>;
}

const MAX_WS_MESSAGE = 1024 * 1024;

const NOT_AUTHORIZED =
  'Hubcap: this address needs the access key. Open the full URL that `hubcap serve` printed (it ends in ?key=…).\n';

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const secret = opts.secret ?? newSecret();
  let port = opts.port ?? 0;

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE });
  const sockets = new Set<WebSocket>();

  const server = http.createServer((req, res) => {
    const verdict = checkRequest(req, host, port, secret);
    if (verdict.status !== 200) {
      res.writeHead(verdict.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(verdict.message);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    if (verdict.setCookie) {
      // Trade the key in the URL for a cookie, then drop it from the address bar.
      url.searchParams.delete('key');
      res.writeHead(303, { 'Set-Cookie': sessionCookie(port, secret), Location: url.pathname + url.search, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (url.pathname === UPLOAD_PATH && req.method === 'POST') {
      void receiveUpload(req, res, url, opts.core, opts.uploadDir ?? path.join(opts.core.dataDir, 'models'));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    serveAsset(opts.rendererDir, url.pathname, req.method === 'HEAD', res, `ws://${req.headers.host ?? ''}`);
  });

  server.on('upgrade', (req, socket: Duplex, head) => {
    const verdict = checkRequest(req, host, port, secret);
    const url = new URL(req.url ?? '/', 'http://x');
    if (verdict.status !== 200 || url.pathname !== WS_PATH) {
      const status = verdict.status !== 200 ? verdict.status : 404;
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const baseUrl = `http://${shownHost}:${port}/`;

  return {
    url: `${baseUrl}?key=${secret}`,
    baseUrl,
    port,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Verdict {
  status: 200 | 401 | 403;
  message: string;
  setCookie?: boolean;
}

function checkRequest(req: http.IncomingMessage, bindHost: string, port: number, secret: string): Verdict {
  const hostHeader = req.headers.host;
  if (!isAllowedHost(hostHeader, bindHost, port)) {
    return { status: 403, message: 'Hubcap: this Host is not allowed (DNS-rebinding protection).\n' };
  }
  if (!isSameOrigin(req.headers.origin, hostHeader)) {
    return { status: 403, message: 'Hubcap: cross-origin requests are refused.\n' };
  }
  if (secretsEqual(readCookie(req.headers.cookie, cookieName(port)), secret)) return { status: 200, message: '' };
  const key = new URL(req.url ?? '/', 'http://x').searchParams.get('key');
  if (secretsEqual(key, secret)) return { status: 200, message: '', setCookie: req.headers.upgrade === undefined };
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
  if (!file || !stat?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
    return;
  }
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
  fs.createReadStream(file).pipe(res);
}

/**
 * A file dropped in the browser, streamed into the managed models folder, then registered like any
 * local checkpoint. The name is reduced to a safe basename; a file that fails validation is removed.
 * Same access rules as every request (key cookie, Host, Origin), so no other site can post here.
 */
async function receiveUpload(req: http.IncomingMessage, res: http.ServerResponse, url: URL, core: Core, dir: string): Promise<void> {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const name = path.basename(url.searchParams.get('name') ?? '').replace(/[^\w.() -]/g, '_').slice(0, 200);
  if (!/\.(gguf|safetensors)$/i.test(name)) {
    req.resume();
    return reply(400, { added: [], skipped: [{ path: name || '(no name)', reason: 'Only .gguf and .safetensors files can be added.' }] });
  }
  const folder = path.join(dir, randomUUID());
  const target = path.join(folder, name);
  try {
    await fs.promises.mkdir(folder, { recursive: true });
    await pipeline(req, fs.createWriteStream(`${target}.part`));
    await fs.promises.rename(`${target}.part`, target);
    const result = await core.library.add([target]);
    if (!result.added.length) await fs.promises.rm(folder, { recursive: true, force: true });
    reply(200, { ...result, skipped: result.skipped.map((s) => ({ ...s, path: name })) });
  } catch (error) {
    await fs.promises.rm(folder, { recursive: true, force: true }).catch(() => {});
    if (!res.headersSent) reply(500, { added: [], skipped: [{ path: name, reason: `The upload failed (${(error as Error).message}).` }] });
  }
}
