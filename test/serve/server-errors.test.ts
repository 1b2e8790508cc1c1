/**
 * `hubcap serve` and its own server's errors: a port it cannot take is a clear, typed error for the
 * caller (not a bare EADDRINUSE), and an error the server emits once listening is logged while it
 * goes on serving, instead of ending the process as an unhandled 'error' event.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src-main/contract/errors';
import { startServer, type RunningServer, type ServeOptions } from '../../src-main/serve/server';
import { testCore } from '../helpers/core';
import { rawRequest } from '../helpers/http';
import { tmpDir } from '../helpers/tmp';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0)) await c();
});

function ui(): string {
  const dir = tmpDir('hubcap-ui-');
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Hubcap</title>');
  return dir;
}

async function serve(opts: Partial<ServeOptions> = {}): Promise<RunningServer> {
  const server = await startServer({ core: testCore(), rendererDir: ui(), host: '127.0.0.1', port: 0, ...opts });
  cleanups.push(() => server.close());
  return server;
}

/** A port some other program holds on 127.0.0.1. */
async function takenPort(): Promise<number> {
  const other = net.createServer();
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => other.close(() => resolve())));
  return (other.address() as net.AddressInfo).port;
}

/** Answers at all: the refusal without a key is an answer from a living server. */
const answers = async (server: RunningServer) => (await rawRequest(server.baseUrl, { Host: `127.0.0.1:${server.port}` })).status;

describe('hubcap serve when its server fails', () => {
  it('turns a port in use into a typed error that says so', async () => {
    const port = await takenPort();
    const failure = await startServer({ core: testCore(), rendererDir: ui(), host: '127.0.0.1', port }).then(
      (s) => {
        cleanups.push(() => s.close());
        return null;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({
      code: 'CONFLICT',
      message: `Port ${port} is already in use by another program: choose another port.`,
      details: { errno: 'EADDRINUSE', host: '127.0.0.1', port },
    });
  });

  it('logs an error emitted after listening and keeps serving', async () => {
    const seen: Error[] = [];
    const server = await serve({ onError: (e) => seen.push(e) });
    expect(await answers(server)).toBe(401);
    const boom = Object.assign(new Error('accept failed: EMFILE'), { code: 'EMFILE' });
    // Without a listener, emit would throw it here (and in the app, end the process).
    expect(() => server.http.emit('error', boom)).not.toThrow();
    expect(seen).toEqual([boom]);
    expect(await answers(server)).toBe(401);
  });

  it('says a later error on stderr when no one is told', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const server = await serve();
    expect(() => server.http.emit('error', new Error('accept failed: EMFILE'))).not.toThrow();
    expect(logged).toHaveBeenCalledWith('hubcap serve: server error: accept failed: EMFILE');
    expect(await answers(server)).toBe(401);
  });
});
