/**
 * The fake CAS (docs/hub-protocol.md §3.4): reconstruction plans v1 and v2 behind the CAS read
 * token, and xorb bytes behind presigned URLs, on a host of their own. Faithful where real clients
 * notice: plans with Range (416 past the end), URLs signed for exactly their byte ranges (a Range
 * outside them is 403, as the real `X-Xet-Signed-Range` URLs are), expiry (403), a request that
 * carries an Authorization header to a presigned URL refused (400, as S3 does), single answers
 * (206 + Content-Range) and multi-range answers (multipart/byteranges).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Link } from '../link';
import { XetFaultBook, type XetFault, type XetKnobs } from './knobs';
import { planFor, v1Answer, v2Answer } from './plans';
import { readXorb, type Xorb, type XorbStore } from './xorbs';

export interface CasRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  status?: number;
  /** Body bytes sent (multipart framing included, headers excluded), once the answer is over. */
  bytes?: number;
}

export interface FakeCas {
  url: string;
  store: XorbStore;
  knobs: XetKnobs;
  faults: XetFaultBook;
  log: CasRequest[];
  /** A CAS read token, valid for knobs.tokenTtlSec. */
  issueToken(): { accessToken: string; exp: number };
  /** Adds routes (the upload side, xet/upload.ts): a handler answers and returns true, or returns false. */
  use(route: CasRoute): void;
  close(): Promise<void>;
}

export type CasRoute = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean>;

type ByteRange = { start: number; end: number };

function parseRanges(header: string | undefined): ByteRange[] | null {
  const m = /^bytes=(.+)$/.exec(header?.trim() ?? '');
  if (!m) return null;
  const out: ByteRange[] = [];
  for (const part of (m[1] as string).split(',')) {
    const r = /^\s*(\d+)-(\d+)\s*$/.exec(part);
    if (!r || Number(r[1]) > Number(r[2])) return null;
    out.push({ start: Number(r[1]), end: Number(r[2]) });
  }
  return out;
}

function text(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
  res.end(body);
}

/** Waits for room in the socket (or its end), leaving no listener behind. */
function drainOrClose(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Streams xorb bytes [start, end] through the link's pacer, applying corrupt and drop faults. */
async function streamBytes(res: http.ServerResponse, xorb: Xorb, r: ByteRange, faults: XetFault[], link: Link, sent: { n: number }): Promise<boolean> {
  const pace = link.pacer();
  const corrupt = faults.filter((f) => f.kind === 'corrupt');
  const drop = faults.find((f) => f.kind === 'drop');
  const step = link.chunkBytes(256 << 10);
  for (let pos = r.start; pos <= r.end;) {
    let n = Math.min(step, r.end + 1 - pos);
    if (drop?.afterBytes !== undefined) n = Math.min(n, Math.max(0, drop.afterBytes - sent.n));
    let buf = readXorb(xorb, pos, pos + n);
    for (const c of corrupt) {
      const at = c.offset ?? 0;
      if (at >= pos && at < pos + n) {
        buf = Buffer.from(buf);
        buf[at - pos] = (buf[at - pos] as number) ^ 0xff;
      }
    }
    if (n > 0) await pace(n);
    if (res.destroyed) return false;
    if (n > 0 && !res.write(buf)) await drainOrClose(res);
    sent.n += n;
    pos += n;
    if (drop?.afterBytes !== undefined && sent.n >= drop.afterBytes) {
      res.socket?.destroy();
      return false;
    }
  }
  return true;
}

export async function startCas(opts: { host: string; store: XorbStore; link: Link; knobs?: XetKnobs; port?: number }): Promise<FakeCas> {
  const { store, link } = opts;
  const knobs: XetKnobs = opts.knobs ?? {};
  const faults = new XetFaultBook();
  const log: CasRequest[] = [];
  const tokens = new Map<string, number>();
  const routes: CasRoute[] = [];
  let base = '';

  const issueToken = () => {
    const accessToken = `xet_${randomBytes(16).toString('hex')}`;
    const exp = Math.floor(Date.now() / 1000) + (knobs.tokenTtlSec ?? 3600);
    tokens.set(accessToken, exp);
    return { accessToken, exp };
  };

  const sign = (xorb: string, ranges: ByteRange[]) => {
    const ttl = knobs.urlTtlMs ?? link.shape.urlTtlMs ?? 3_600_000;
    const signed = ranges.map((r) => `${r.start}-${r.end}`).join(',');
    return `${base}/xorbs/default/${xorb}?X-Xet-Signed-Range=${encodeURIComponent(signed)}&Expires=${Date.now() + ttl}&Signature=${randomBytes(6).toString('hex')}`;
  };

  const reconstruction = (req: http.IncomingMessage, res: http.ServerResponse, version: 1 | 2, hash: string) => {
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const exp = auth ? tokens.get(auth[1] as string) : undefined;
    if (exp === undefined || exp * 1000 < Date.now()) return text(res, 401, 'invalid or expired CAS token');
    const status = faults.take('reconstruction', null).find((f) => f.kind === 'status');
    if (status) return text(res, status.status ?? 500, 'injected', status.retryAfter !== undefined ? { 'Retry-After': String(status.retryAfter) } : {});
    if (version === 2 && knobs.v2Status) return text(res, knobs.v2Status, 'V2 reconstruction endpoint disabled');
    const file = store.files.get(hash);
    if (!file) return text(res, 404, 'file not found');
    let range: ByteRange | null = null;
    if (req.headers.range) {
      const parsed = parseRanges(req.headers.range);
      if (!parsed || parsed.length !== 1) return text(res, 416, 'invalid range');
      range = { start: (parsed[0] as ByteRange).start, end: (parsed[0] as ByteRange).end + 1 };
    }
    const plan = planFor(store, file, range);
    if (!plan) return text(res, 416, 'Range not satisfiable');
    let body: object = version === 1 ? v1Answer(plan, sign) : v2Answer(plan, sign, knobs.maxRangesPerFetch ?? 8);
    if (knobs.bendPlan) {
      // A copy: the answer's objects may be the store's own.
      body = structuredClone(body);
      knobs.bendPlan(body as Record<string, unknown>, version);
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const xorbBytes = async (req: http.IncomingMessage, res: http.ServerResponse, hash: string, url: URL, entry: CasRequest) => {
    if (req.headers.authorization) return text(res, 400, 'Only one auth mechanism allowed');
    const hits = faults.take('xorb', hash);
    const expires = Number(url.searchParams.get('Expires') ?? 'NaN');
    if (!Number.isFinite(expires) || expires < Date.now() || hits.some((f) => f.kind === 'expire')) {
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      return res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
    }
    const status = hits.find((f) => f.kind === 'status');
    if (status) return text(res, status.status ?? 500, 'injected', status.retryAfter !== undefined ? { 'Retry-After': String(status.retryAfter) } : {});
    const xorb = store.xorbs.get(hash);
    const signed = parseRanges(`bytes=${url.searchParams.get('X-Xet-Signed-Range') ?? ''}`);
    const asked = parseRanges(req.headers.range);
    if (!xorb || !signed) return text(res, 404, 'no such object');
    if (!asked || !asked.every((a) => signed.some((s) => a.start >= s.start && a.end <= s.end) && a.end < xorb.size))
      return text(res, 403, 'Range outside the signed ranges');
    await link.latency();
    const closed = link.opened();
    res.once('close', closed);
    const sent = { n: 0 };
    res.once('close', () => (entry.bytes = sent.n));
    const only = asked.length === 1 ? (asked[0] as ByteRange) : null;
    if (only) {
      res.writeHead(206, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(only.end - only.start + 1),
        'Content-Range': `bytes ${only.start}-${only.end}/${xorb.size}`,
      });
      if (await streamBytes(res, xorb, only, hits, link, sent)) res.end();
      return;
    }
    const boundary = `fakecas${randomBytes(8).toString('hex')}`;
    const partHead = (r: ByteRange) =>
      `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes ${r.start}-${r.end}/${xorb.size}\r\n\r\n`;
    const closing = `--${boundary}--\r\n`;
    // Framed by its length, as S3 answers a multi-range GET.
    const length = asked.reduce((n, r) => n + Buffer.byteLength(partHead(r)) + (r.end - r.start + 1) + 2, Buffer.byteLength(closing));
    res.writeHead(206, { 'Content-Type': `multipart/byteranges; boundary=${boundary}`, 'Content-Length': String(length) });
    const frame = (text: string) => {
      sent.n += Buffer.byteLength(text);
      return text;
    };
    for (const r of asked) {
      res.write(frame(partHead(r)));
      if (!(await streamBytes(res, xorb, r, hits, link, sent))) return;
      res.write(frame('\r\n'));
    }
    res.end(frame(closing));
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://cas');
    const entry: CasRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    log.push(entry);
    res.once('finish', () => (entry.status = res.statusCode));
    const recon = /^\/v([12])\/reconstructions\/([0-9a-f]{64})$/.exec(url.pathname);
    const xorb = /^\/xorbs\/default\/([0-9a-f]{64})$/.exec(url.pathname);
    void (async () => {
      if (recon && req.method === 'GET') return reconstruction(req, res, Number(recon[1]) as 1 | 2, recon[2] as string);
      if (xorb && req.method === 'GET') return xorbBytes(req, res, xorb[1] as string, url, entry);
      for (const route of routes) if (await route(req, res, url)) return;
      return text(res, 404, 'Not Found');
    })().catch((e: unknown) => {
      if (!res.headersSent) text(res, 500, String(e));
      else res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, opts.host, r));
  base = `http://${opts.host}:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    store,
    knobs,
    faults,
    log,
    issueToken,
    use: (route) => routes.push(route),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
