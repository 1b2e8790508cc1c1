/**
 * Hostile and odd input (#28.6): malformed paths and revisions, `..` raw and encoded, a repo held
 * only in part, a client that goes away mid-file, and a cache someone else damaged: a blob that
 * does not hash to its name, a FIFO, a link out of the cache. Errors in the Hub's shape; no bad
 * byte ever served; the server keeps answering.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fakeHub, download, hubHttp, manager } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';
import { filledCache, KEY, mirrorOver, raw } from './setup';

const REPO = 'acme/tiny-llm';
const FOLDER = 'models--acme--tiny-llm';

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

function blobOf(cache: string, file: string): string {
  const snap = path.join(cache, FOLDER, 'snapshots');
  const commit = fs.readFileSync(path.join(cache, FOLDER, 'refs', 'main'), 'utf8');
  return path.resolve(path.join(snap, commit), fs.readlinkSync(path.join(snap, commit, file)));
}

describe('mirror: bad input', () => {
  it('refuses malformed paths, dot segments raw or encoded, and bad revisions in the Hub shape', async () => {
    const hub = await fakeHub();
    const cache = await filledCache(hub, [REPO]);
    const m = await mirrorOver(cache, hub.url);
    const p = `/${KEY}`;
    const cases: [string, number][] = [
      [`${p}/${REPO}/resolve/main/../../../../etc/passwd`, 400],
      [`${p}/${REPO}/resolve/main/%2e%2e/%2E%2E/config.json`, 400],
      [`${p}/${REPO}/resolve/main/sub/%2e%2e%2f%2e%2e%2fconfig.json`, 404],
      [`${p}/${REPO}/resolve/main/sub%2F..%2F..%2Fx`, 404],
      [`${p}/${REPO}/resolve/main/%00config.json`, 400],
      [`${p}/${REPO}/resolve/main/bad%zzescape`, 400],
      [`${p}/${REPO}/resolve/..%2F..%2Frefs/config.json`, 404],
      [`${p}/${REPO}/resolve/${'a'.repeat(300)}/config.json`, 404],
      [`${p}/${REPO}/resolve/main%0Aevil/config.json`, 404],
      [`${p}/api/models/acme/tiny-llm/tree/main/%2e%2e`, 400],
      [`${p}/api/models/acme--x/tiny-llm`, 404],
      [`${p}/api/models/a/b/c/d`, 404],
      [`${p}/api/spaces/acme/tiny-llm`, 404],
      [`${p}/api/models/${REPO}/tree/main?cursor=${Buffer.from('-5').toString('base64url')}`, 400],
      [`/${KEY}/../${KEY}/api/models/${REPO}`, 400],
      [`${p}/${REPO}/resolve/main/${'x/'.repeat(3000)}y`, 404],
      [`${p}/${'x'.repeat(9000)}`, 400],
      ['http://evil/x', 400],
    ];
    for (const [target, status] of cases) {
      const res = await raw(m.mirror.url, target);
      expect(res.status, target).toBe(status);
      expect(typeof (JSON.parse(res.body.toString()) as { error: unknown }).error, target).toBe('string');
    }
    for (const method of ['PUT', 'DELETE', 'POST']) {
      const res = await raw(m.mirror.url, `${p}/${REPO}/resolve/main/config.json`, { method, body: 'x' });
      expect(res.status, method).toBe(405);
    }
    // Still answering, and the cache untouched by any of it.
    expect((await raw(m.mirror.url, `${p}/${REPO}/resolve/main/config.json`)).status).toBe(200);
    expect(fs.readdirSync(path.join(cache, FOLDER, 'blobs')).every((n) => /^[0-9a-f]{40,64}$/.test(n))).toBe(true);
  });

  it('answers a repo held in part honestly: the whole listing, a retryable 503 for a file not held, never EntryNotFound', async () => {
    const hub = await fakeHub();
    const { m: engine, cache } = manager(hubHttp(hub));
    // A pattern lists the tree, so the commit's whole listing is recorded (trees/), as Python does.
    const job = await download(engine, { repo: REPO, patterns: ['*.json'] });
    expect(job.state).toBe('done');
    const m = await mirrorOver(cache, hub.url);
    const tree = (await (await fetch(`${m.endpoint}/api/models/${REPO}/tree/main?recursive=true`)).json()) as { path: string }[];
    expect(tree.map((e) => e.path)).toContain('tiny-llm-Q8_0.gguf');
    const missing = await fetch(`${m.endpoint}/${REPO}/resolve/main/tiny-llm-Q8_0.gguf`, { method: 'HEAD' });
    expect([missing.status, missing.headers.get('x-error-code'), missing.headers.get('retry-after')]).toEqual([503, null, '60']);
    expect(await (await fetch(`${m.endpoint}/${REPO}/resolve/main/config.json`)).text()).toBe('{"model_type":"llama","v":2}');
  });

  it('never serves a blob that fails verification, a FIFO or a link out of the cache, and says why in the Hub shape', async () => {
    const hub = await fakeHub();
    const cache = await filledCache(hub, [REPO]);
    const m = await mirrorOver(cache, hub.url);
    // One flipped byte, same size and name.
    const q8 = blobOf(cache, 'tiny-llm-Q8_0.gguf');
    const fd = fs.openSync(q8, 'r+');
    fs.writeSync(fd, Buffer.from([0x5a]), 0, 1, 4096);
    fs.closeSync(fd);
    const url = `${m.endpoint}/${REPO}/resolve/main/tiny-llm-Q8_0.gguf`;
    // HEAD sends no byte: answered from what the cache says, at once (a 40 GB blob meets Python's 10 s metadata timeout).
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    // The first GET streams while hashing and is cut short before its last chunk: never whole.
    const cut = await fetch(url);
    expect(cut.status).toBe(200);
    await expect(cut.arrayBuffer()).rejects.toThrow();
    // Then the blob is known bad: refused at once, in the Hub's shape.
    for (const method of ['GET', 'HEAD']) {
      const bad = await fetch(url, { method, headers: { range: 'bytes=0-9' } });
      expect(bad.status, method).toBe(503);
    }
    const again = await fetch(url);
    expect([again.status, ((await again.json()) as { error: string }).error]).toEqual([503, expect.stringContaining('INTEGRITY')]);
    expect(m.mirror.stats().refusedBlobs).toBe(4);
    expect(m.mirror.stats().bytesFromCache).toBeLessThan(5 * (1 << 20) + 7);
    // A FIFO where a blob was: refused at once, not waited on.
    const q4 = blobOf(cache, 'tiny-llm-Q4_K_M.gguf');
    fs.rmSync(q4);
    execFileSync('mkfifo', [q4]);
    const fifo = await fetch(`${m.endpoint}/${REPO}/resolve/main/tiny-llm-Q4_K_M.gguf`);
    expect(fifo.status).toBe(503);
    // A snapshot entry turned into a link out of the cache.
    const outside = path.join(tmpDir(), 'secret.txt');
    fs.writeFileSync(outside, 'not for you');
    const commit = fs.readFileSync(path.join(cache, FOLDER, 'refs', 'main'), 'utf8');
    const entry = path.join(cache, FOLDER, 'snapshots', commit, 'README.md');
    fs.rmSync(entry);
    fs.symlinkSync(outside, entry);
    const out = await fetch(`${m.endpoint}/${REPO}/resolve/main/README.md`);
    expect(out.status).toBe(503);
    expect(await out.text()).not.toContain('not for you');
  });

  it('closes the file and keeps serving when a client goes away mid-file', async () => {
    const hub = await fakeHub();
    const cache = await filledCache(hub, [REPO]);
    const m = await mirrorOver(cache, hub.url);
    const url = new URL(`${m.endpoint}/${REPO}/resolve/main/tiny-llm-Q8_0.gguf`);
    await fetch(url, { method: 'HEAD' }); // verified once, so the cut lands in the stream
    const before = openFds();
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(e)));
      });
    }
    // The mirror notices each close; its files are closed after (polled, not slept on).
    for (let t = 0; openFds() > before && t < 200; t++) await new Promise((r) => setTimeout(r, 25));
    expect(openFds()).toBeLessThanOrEqual(before);
    const whole = await fetch(url);
    expect((await whole.arrayBuffer()).byteLength).toBe(5 * (1 << 20) + 7);
    expect(m.mirror.stats().bytesFromCache).toBeLessThan(2 * (5 * (1 << 20) + 7));
  });
});
