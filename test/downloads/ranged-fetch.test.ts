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
import path from 'node:path';
import { rangesPathOf } from '../../src-main/downloads/range-state';
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

  it('a lone connection resuming a file with holes asks for each hole only, never for bytes already here', async () => {
    const size = 24 * MiB;
    const content = seededContent('holes', size);
    // A fast link: the server fills the socket with whatever the range allows before the reader stops.
    const hub = await fakeHub({ repos: [buildRepo({ id: 'acme/holes', commits: [{ files: { 'm.gguf': content } }] })] });
    const req = await blobRequest(hub, 'acme/holes', 'm.gguf');
    const blobs = path.join(req.cacheDir, req.repoFolder, 'blobs');
    fs.mkdirSync(blobs, { recursive: true });
    const partial = path.join(blobs, `${req.etag}.incomplete`);
    const done: [number, number][] = [
      [0, 4 * MiB],
      [8 * MiB, 12 * MiB],
      [16 * MiB, 20 * MiB],
    ];
    const bytes = Buffer.alloc(size);
    for (const [a, b] of done) content.read(a, b).copy(bytes, a);
    fs.writeFileSync(partial, bytes);
    fs.writeFileSync(rangesPathOf(partial), JSON.stringify({ v: 1, size, done }));
    const r = await fetchBlob(hubHttp(hub), req, {
      signal: new AbortController().signal,
      connections: 1,
      budget: new ConnectionBudget(4),
      segmentBytes: 1 * MiB,
    });
    expect(sha256(r.path)).toBe(req.etag);
    expect(r.resumedFrom).toBe(12 * MiB);
    const cdn = hub.log.filter((l) => l.origin === 'cdn' && l.method === 'GET');
    for (const l of cdn) {
      const m = /^bytes=(\d+)-(\d*)$/.exec(String(l.headers.range));
      expect(m, String(l.headers.range)).not.toBeNull();
      const from = Number(m?.[1]);
      const to = m?.[2] ? Number(m[2]) + 1 : size;
      for (const [a, b] of done) expect(from < b && to > a, `${l.headers.range} overlaps ${a}-${b}`).toBe(false);
    }
    // What the server sent: the 12 MiB of holes, headers aside.
    const sent = cdn.reduce((n, l) => n + (l.bytes ?? 0), 0) - cdn.length * 600;
    expect(sent).toBeLessThan(12 * MiB + 64 * 1024);
  });
});
