/**
 * The real `hubcap serve` against a few thousand malformed requests (bad targets on both the
 * request and the upgrade path, bad and oversized headers, slow bodies and headers, abrupt
 * closes): afterwards it is still running and still answers a proper request.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/http';
import { startServe, type ServeProcess } from './serve-process';

let serve: ServeProcess;
beforeAll(async () => {
  serve = await startServe();
});
afterAll(async () => {
  await serve?.stop();
});

/** Sends raw bytes, reads what comes back for a moment, and closes (or just drops the socket). */
function send(port: number, bytes: string | Buffer, opts: { holdMs?: number; abrupt?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    const done = () => {
      socket.destroy();
      resolve(got);
    };
    socket.on('data', (d) => (got += d.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => {
      socket.write(bytes);
      if (opts.abrupt) return done();
      setTimeout(done, opts.holdMs ?? 60);
    });
  });
}

function* malformed(host: string): Generator<{ bytes: string | Buffer; holdMs?: number; abrupt?: boolean }> {
  const targets = [
    '//[',
    '//[::1',
    '//',
    'http://x/',
    '*',
    '/%',
    '/%zz',
    '/\u0000',
    `/${'a'.repeat(20_000)}`,
    '/?key=%',
    '/a b',
    '/\\..\\..',
    '/api/ws?key=%E0%A4%A',
  ];
  for (let i = 0; i < 100; i++) {
    for (const t of targets) {
      yield { bytes: `GET ${t} HTTP/1.1\r\nHost: ${host}\r\n\r\n` };
      yield {
        bytes: `GET ${t} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.alloc(16, i).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://${host}\r\n\r\n`,
      };
    }
    yield { bytes: `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'b'.repeat(40_000)}\r\n\r\n` };
    yield { bytes: `GET / HTTP/1.1\r\nHost ${host}\r\n\r\n` };
    yield { bytes: `GET / HTTP/1.1\r\nHo\u0000st: ${host}\r\n\r\n` };
    yield { bytes: `GET / HTTP/1.1\r\nHost: ${host}\r\nHost: evil\r\n\r\n` };
    yield { bytes: `GET / HTTP/9.9\r\n\r\n` };
    yield { bytes: Buffer.from(Array.from({ length: 512 }, (_, j) => (i * 31 + j * 7) & 0xff)) };
    yield { bytes: `POST /api/upload?name=a.gguf HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 1000000000\r\n\r\nabc`, holdMs: 300 };
    yield { bytes: `POST /api/upload?name=a.gguf HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n` };
    yield { bytes: `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `, holdMs: 300 };
    yield {
      bytes: `GET /api/ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ,,,\u0001\r\n\r\n`,
    };
    yield { bytes: `GET /assets/ HTTP/1.1\r\nHost: ${host}\r\n\r\n`, abrupt: true };
    yield { bytes: `GET / HTTP/1.1\r\n`, abrupt: true };
  }
}

describe('hubcap serve under malformed traffic', () => {
  it('answers thousands of malformed requests with 4xx or a closed socket, and keeps serving', async () => {
    const host = `127.0.0.1:${serve.port}`;
    // The slow ones last, together, so they do not hold up every batch.
    const cases = [...malformed(host)].sort((a, b) => (a.holdMs ?? 0) - (b.holdMs ?? 0));
    expect(cases.length).toBeGreaterThan(3000);
    const answers: string[] = [];
    // Bounded in count and concurrency; each socket is closed by us within a fraction of a second.
    for (let i = 0; i < cases.length; i += 40) {
      answers.push(...(await Promise.all(cases.slice(i, i + 40).map((c) => send(serve.port, c.bytes, c)))));
    }
    expect(serve.proc.exitCode).toBe(null);
    expect(answers.filter((a) => /^HTTP\/1\.1 5\d\d/.test(a))).toEqual([]);
    expect(answers.some((a) => a.startsWith('HTTP/1.1 400'))).toBe(true);
    expect(answers.some((a) => a.startsWith('HTTP/1.1 431'))).toBe(true);
    // Still itself: the key still trades for a session, and the output never printed a crash.
    const r = await rawRequest(`${serve.baseUrl}?key=${serve.secret}`, { Host: host });
    expect(r.status).toBe(303);
    expect(serve.output()).not.toMatch(/Uncaught|TypeError|RangeError|ERR_/);
  }, 120_000);
});
