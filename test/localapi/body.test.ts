/** Request bodies within bounds: the shared budget's bookkeeping, and bodies read off a real socket. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyBudget, MAX_BODY_BYTES, readBody, type BodyResult } from '../../src-main/localapi/body';

let server: http.Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** A server that reads each body with a hold on `budget` and answers what readBody said. */
async function reader(budget: BodyBudget): Promise<{ send(body: Buffer, chunked?: boolean): Promise<string> }> {
  server = http.createServer((req, res) => {
    const hold = budget.hold();
    res.on('close', () => hold.release());
    void readBody(req, hold).then((r: BodyResult) => res.end(typeof r === 'string' ? r : `read ${r.length}`));
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    send: (body, chunked = false) =>
      new Promise((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method: 'POST', agent: false, headers: chunked ? {} : { 'content-length': body.length } },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
  };
}

describe('body budget', () => {
  it('holds bytes per request up to the limit and gives each hold back once', () => {
    const budget = new BodyBudget(100);
    const a = budget.hold();
    const b = budget.hold();
    expect(a.take(60)).toBe(true);
    expect(b.take(50)).toBe(false);
    expect(b.take(40)).toBe(true);
    expect(budget.used).toBe(100);
    a.release();
    a.release();
    expect(budget.used).toBe(40);
    expect(a.take(1)).toBe(false);
    b.release();
    expect(budget.used).toBe(0);
  });
});

describe('reading a body', () => {
  it('reads a declared or chunked body whole, and gives its bytes back after the answer', async () => {
    const budget = new BodyBudget(1 << 20);
    const { send } = await reader(budget);
    expect(await send(Buffer.alloc(300_000, 1))).toBe('read 300000');
    expect(await send(Buffer.alloc(300_000, 1), true)).toBe('read 300000');
    expect(budget.used).toBe(0);
  });

  it('says too-large past the per-request bound and busy past the shared budget', async () => {
    const budget = new BodyBudget(64 << 10);
    const { send } = await reader(budget);
    expect(await send(Buffer.alloc(MAX_BODY_BYTES + 1))).toBe('too-large');
    expect(await send(Buffer.alloc(100 << 10))).toBe('busy');
    expect(await send(Buffer.alloc(100 << 10), true)).toBe('busy');
    expect(await send(Buffer.alloc(60 << 10))).toBe(`read ${60 << 10}`);
    expect(budget.used).toBe(0);
  });
});
