/**
 * Many range connections of one file: each request listens on its connection's own signal, so
 * sixteen at once trip no MaxListenersExceededWarning and leave no listener on the caller's
 * signal; a block read to its end gives its kept-alive socket to the next request.
 */
import { createHash } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { getEventListeners } from 'node:events';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchBlob } from '../../src-main/downloads/blob-fetch';
import { ConnectionBudget } from '../../src-main/downloads/connection-controller';
import { buildRepo } from '../fakehub/model';
import { seededContent } from '../fakehub/content';
import { blobRequest, fakeHub, hubHttp } from '../helpers/hub';

const MiB = 1 << 20;
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('range connections', { timeout: 60_000 }, () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  afterEach(() => {
    process.off('warning', onWarning);
  });

  it('sixteen connections on one signal: no MaxListenersExceededWarning, no listener left, sockets reused', async () => {
    process.on('warning', onWarning);
    const hub = await fakeHub({
      repos: [buildRepo({ id: 'acme/big', commits: [{ files: { 'big.gguf': seededContent('big', 24 * MiB) } }] })],
      // Capped per connection, so the file deserves (and gets) all sixteen.
      link: { perConnection: 4e6 },
    });
    const req = await blobRequest(hub, 'acme/big', 'big.gguf');
    const controller = new AbortController();
    const seen: number[] = [];
    let sockets = 0;
    const onSocket = () => sockets++;
    diagnostics.subscribe('net.client.socket', onSocket);
    const r = await fetchBlob(hubHttp(hub), req, {
      signal: controller.signal,
      connections: 16,
      budget: new ConnectionBudget(32),
      segmentBytes: 1 * MiB,
      onConnections: (n) => seen.push(n),
    }).finally(() => diagnostics.unsubscribe('net.client.socket', onSocket));
    expect(sha256(r.path)).toBe(req.etag);
    expect(Math.max(...seen)).toBe(16);
    expect(hub.link.maxOpen).toBeGreaterThanOrEqual(11);
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // 24 one-MiB blocks over sixteen connections: a body read to its end hands its socket on, so
    // the requests outnumber the sockets (one per request when every body was broken off).
    const cdn = hub.log.filter((l) => l.origin === 'cdn' && l.method === 'GET');
    expect(cdn.length).toBeGreaterThanOrEqual(24);
    expect(sockets).toBeLessThan(cdn.length - 4);
  });
});
