import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openXorb } from '../../src-main/xet/cas-client';
import { dropRead, holdRead, readSlabsInUse } from '../../src-main/xet/read-slabs';
import { idleXorbConnections, NotFramedByLength, xorbGet, type LentBody } from '../../src-main/xet/xorb-http';

const BODY = randomBytes(3 << 20);
const never = new AbortController().signal;
const silence = () => new Error('silent');

let server: http.Server;
let base: string;
let connections: number;
let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Serves BODY's asked range, as a storage host does. */
function ranged(req: http.IncomingMessage, res: http.ServerResponse): void {
  const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
  const [start, end] = m ? [Number(m[1]), Number(m[2])] : [0, BODY.length - 1];
  res.writeHead(206, { 'content-length': end - start + 1, 'content-type': 'application/octet-stream' });
  res.end(BODY.subarray(start, end + 1));
}

beforeEach(async () => {
  connections = 0;
  handler = ranged;
  server = http.createServer((req, res) => handler(req, res));
  server.on('connection', () => (connections += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const get = (range: string, signal = never) => xorbGet(new URL(`${base}/x`), `Range: bytes=${range}\r\n`, signal, 5000, silence);

/** Reads a body the way the download does: every buffer copied before the next is asked for. */
async function readAll(body: LentBody, perBuffer?: () => Promise<void>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const buf of body) {
    out.push(Buffer.from(buf));
    await perBuffer?.();
  }
  return Buffer.concat(out);
}

describe('xorbGet', () => {
  it('reads a ranged answer into lent slabs, gives every slab back, and keeps the connection for the next', async () => {
    const a = await get('0-2097151');
    expect(a.status).toBe(206);
    expect(a.headers.get('content-type')).toBe('application/octet-stream');
    expect((await readAll(a.body)).equals(BODY.subarray(0, 2 << 20))).toBe(true);
    await a.body.closed;
    // A connection kept for the next answer holds the one slab its next read goes into.
    expect(idleXorbConnections()).toBe(1);
    expect(readSlabsInUse()).toBe(1);
    // And does not hold the process open, as node:http's free sockets do not: of the two ends, only the server's is referenced.
    expect(process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap')).toHaveLength(1);
    const b = await get('1000-3145727');
    expect((await readAll(b.body)).equals(BODY.subarray(1000))).toBe(true);
    expect(connections).toBe(1);
    expect(readSlabsInUse()).toBe(1);
  });

  it('stops reading while the reader is behind: the slabs out stay bounded', async () => {
    // Slabs a closing connection of an earlier test may still hold.
    const base = readSlabsInUse();
    let most = 0;
    const a = await get('0-3145727');
    const got = await readAll(a.body, async () => {
      most = Math.max(most, readSlabsInUse() - base);
      await new Promise((r) => setTimeout(r, 1));
    });
    expect(got.equals(BODY)).toBe(true);
    // Reading stops once 512 KiB wait (one 64 KiB read past it at most), in slabs filled to within
    // 8 KiB (small reads share one): 11, the one lent and the one being filled.
    expect(most).toBeLessThanOrEqual(13);
  });

  it('puts small reads into one slab, not a slab each', async () => {
    handler = async (_req, res) => {
      res.writeHead(206, { 'content-length': 100 * 3000 });
      // 100 writes of 3 KB, each its own read on the other end.
      for (let i = 0; i < 100; i++) {
        res.write(BODY.subarray(i * 3000, (i + 1) * 3000));
        await new Promise((r) => setTimeout(r, 1));
      }
      res.end();
    };
    const a = await get('0-299999');
    const kept: Buffer[] = [];
    for await (const buf of a.body) {
      holdRead(buf);
      kept.push(buf);
    }
    expect(Buffer.concat(kept).equals(BODY.subarray(0, 300_000))).toBe(true);
    expect(kept.length).toBeGreaterThan(20);
    // 300 KB in 64 KiB slabs filled to within 8 KiB: 6 of them (and the idle connection's next read).
    expect(readSlabsInUse()).toBeLessThanOrEqual(7);
    kept.forEach(dropRead);
  });

  it('asks again on a fresh connection when a kept-alive one was closed by its server', async () => {
    await readAll((await get('0-99')).body);
    let answered = 0;
    handler = (req, res) => {
      // The next request on the kept-alive connection finds it closed, as a server's idle timeout does.
      if (answered++ === 0) return void req.socket.destroy();
      ranged(req, res);
    };
    const b = await get('0-99');
    expect((await readAll(b.body)).equals(BODY.subarray(0, 100))).toBe(true);
    expect(connections).toBe(2);
  });

  it('lets a stopped request stop only its own answer, not the next one on its kept-alive connection', async () => {
    const first = new AbortController();
    const a = await get('0-999', first.signal);
    // A's answer is whole and its connection idle, though A's reader has not read it yet.
    await expect.poll(() => idleXorbConnections()).toBe(1);
    // B takes the kept-alive connection; its answer waits until A's signal has fired.
    let arrived: (answer: () => void) => void = () => undefined;
    const asked = new Promise<() => void>((r) => (arrived = r));
    handler = (req, res) => arrived(() => ranged(req, res));
    const pending = get('0-99');
    const answer = await asked;
    first.abort(new Error('A was stopped by its user'));
    answer();
    const b = await pending;
    expect((await readAll(b.body)).equals(BODY.subarray(0, 100))).toBe(true);
    expect((await readAll(a.body)).equals(BODY.subarray(0, 1000))).toBe(true);
    expect(connections).toBe(1);
  });

  it('gives back the slab of a connection attempt that moves on to the next address of the host', async () => {
    const lookup = dns.lookup;
    const dual = (host: string, opts: unknown, cb: (...args: unknown[]) => void) => {
      if (host !== 'dual.test') return (lookup as (...args: unknown[]) => void)(host, opts, cb);
      // ::1 and 127.0.0.2 refuse (the server listens on 127.0.0.1 only): two attempts before the one that connects.
      const all = [
        { address: '::1', family: 6 },
        { address: '127.0.0.2', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ];
      return (opts as { all?: boolean }).all ? cb(null, all) : cb(null, '127.0.0.1', 4);
    };
    Object.assign(dns, { lookup: dual });
    try {
      handler = (_req, res) => {
        res.writeHead(206, { 'content-length': 3, connection: 'close' });
        res.end('abc');
      };
      const port = (server.address() as AddressInfo).port;
      for (let i = 0; i < 3; i++) {
        const a = await xorbGet(new URL(`http://dual.test:${port}/x`), '', never, 5000, silence);
        expect((await readAll(a.body)).toString()).toBe('abc');
        await expect.poll(() => readSlabsInUse()).toBe(0);
      }
    } finally {
      Object.assign(dns, { lookup });
    }
  });

  it('fails the body of an answer cut short, and does not reuse its connection', async () => {
    handler = (req, res) => {
      res.writeHead(206, { 'content-length': 1 << 20 });
      res.write(BODY.subarray(0, 100_000), () => req.socket.destroy());
    };
    const a = await get('0-1048575');
    await expect(readAll(a.body)).rejects.toThrow();
    expect(idleXorbConnections()).toBe(0);
    await expect.poll(() => readSlabsInUse()).toBe(0);
  });

  it('ends the answer when the reader destroys it or stops early, and gives back what was read ahead', async () => {
    const a = await get('0-3145727');
    const it = a.body[Symbol.asyncIterator]();
    await it.next();
    a.body.destroy(new Error('stalled'));
    await expect(it.next()).rejects.toThrow('stalled');
    await a.body.closed;
    await expect.poll(() => readSlabsInUse()).toBe(0);

    const b = await get('0-3145727');
    for await (const _ of b.body) break;
    await b.body.closed;
    await expect.poll(() => readSlabsInUse()).toBe(0);
    expect(idleXorbConnections()).toBe(0);
  });

  it('refuses an answer not framed by its length before reading it, and openXorb reads that origin by node:http', async () => {
    handler = (req, res) => {
      res.writeHead(206, { 'transfer-encoding': 'chunked' });
      res.end(BODY.subarray(0, 5000));
    };
    for (let i = 0; i < 3; i++) await expect(get('0-4999')).rejects.toBeInstanceOf(NotFramedByLength);
    // The reads the refused heads came in went back.
    await expect.poll(() => readSlabsInUse()).toBe(0);
    const opened = await openXorb(`${base}/x`, [{ start: 0, end: 4999 }], never);
    const parts: Buffer[] = [];
    for await (const buf of opened.res) parts.push(Buffer.from(buf));
    expect(Buffer.concat(parts).equals(BODY.subarray(0, 5000))).toBe(true);
    await opened.closed;
  });

  it('turns a refused answer into the typed error and closes it, and an abort into the signal’s reason', async () => {
    let closed = false;
    handler = (req, res) => {
      res.writeHead(403, { 'content-length': 1 << 30 });
      res.on('close', () => (closed = true));
      res.write('expired');
    };
    await expect(openXorb(`${base}/x`, [{ start: 0, end: 9 }], never)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect.poll(() => closed).toBe(true);

    // A storage host's head is read by hand here: a header fetch would refuse is dropped, not a TypeError.
    const raw = net.createServer((c) => c.once('data', () => c.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nBad Name: x\r\nRetry-After: 1\r\n\r\n')));
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    try {
      await expect(openXorb(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/x`, [{ start: 0, end: 9 }], never)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    } finally {
      raw.close();
    }

    handler = () => undefined; // never answers
    const stop = new AbortController();
    const pending = get('0-9', stop.signal);
    stop.abort(new Error('stopped by the user'));
    await expect(pending).rejects.toThrow('stopped by the user');
  });
});

describe('xorbGet over TLS', () => {
  it('reads a ranged answer from an https storage host trusted by NODE_EXTRA_CA_CERTS, in slabs the size of its records', () => {
    const dir = path.join(import.meta.dirname, '..', 'fixtures', 'tls');
    const script = path.join(import.meta.dirname, 'xorb-http-tls.child.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'localhost-cert.pem') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
      sha: string;
      expected: string;
      connections: number;
      inUse: number;
      keptBytes: number;
      pinned: number;
    };
    expect(out.sha).toBe(out.expected);
    expect(out.connections).toBe(1);
    // The kept connection's next read.
    expect(out.inUse).toBe(1);
    // TLS reads are a record each (16 KiB at most), in slabs of that size: kept views pin about their own size, not 4x.
    expect(out.keptBytes).toBe(524288);
    expect(out.pinned).toBeLessThan(1.25 * out.keptBytes);
  });
});
