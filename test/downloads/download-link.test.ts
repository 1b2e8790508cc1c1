/**
 * A single file is fetched from where its HEAD led (the signed link in the 302), as Python does
 * with `metadata.location`: no second round trip to the Hub, and every range connection opens at
 * once instead of waiting for the first one's redirect. A link that expired before its turn is
 * resolved again, and the download still lands the right bytes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fetchBlob } from '../../src-main/downloads/blob-fetch';
import { rememberLink } from '../../src-main/downloads/file-run';
import { fileMetadata } from '../../src-main/hub/resolve';
import { buildRepo } from '../fakehub/model';
import { seededContent } from '../fakehub/content';
import { blobRequest, download, fakeHub, hubHttp, manager } from '../helpers/hub';

const MiB = 1 << 20;
const repo = () => buildRepo({ id: 'acme/big', commits: [{ files: { 'mid.bin': seededContent('mid.bin', 16 * MiB), 'config.json': '{"a":1}' } }] });
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('the HEAD’s signed link', { timeout: 60_000 }, () => {
  it('is where the HEAD says, absolute, and absent when the Hub answers the bytes itself', async () => {
    const hub = await fakeHub({ repos: [repo()] });
    const meta = await fileMetadata(hubHttp(hub), { type: 'model', id: 'acme/big' }, 'main', 'mid.bin');
    expect(meta.downloadUrl).toMatch(/^http:\/\/127\.0\.0\.\d+:\d+\//);
    expect(new URL(meta.downloadUrl as string).host).not.toBe(new URL(hub.url).host);
    const small = await fileMetadata(hubHttp(hub), { type: 'model', id: 'acme/big' }, 'main', 'config.json');
    expect(small.downloadUrl).toBeUndefined();
  });

  it('takes a download straight to the download host: the resolve URL is asked once, every range opens at once', async () => {
    const hub = await fakeHub({ repos: [repo()], link: { perConnection: 8e6 } });
    const { m } = manager(hubHttp(hub), { connections: () => 'auto' });
    const job = await download(m, { repo: 'acme/big', files: ['mid.bin'] });
    expect(job.state).toBe('done');
    const resolves = hub.log.filter((l) => l.origin === 'api' && l.url.includes('/resolve/'));
    expect(resolves.map((l) => l.method)).toEqual(['HEAD']);
    const gets = hub.log.filter((l) => l.origin === 'cdn' && l.method === 'GET');
    expect(gets).toHaveLength(16);
    expect(hub.link.maxOpen).toBe(16);
  });

  it('resolves a link that expired before its turn again, and lands the right bytes, on one connection and on several', async () => {
    const hub = await fakeHub({ repos: [repo()], link: { urlTtlMs: 800 } });
    for (const connections of [1, 'auto'] as const) {
      const req = await blobRequest(hub, 'acme/big', 'mid.bin');
      const meta = await fileMetadata(hubHttp(hub), { type: 'model', id: 'acme/big' }, 'main', 'mid.bin');
      expect(meta.downloadUrl).toContain('expires=');
      // The link's lifetime passes before the transfer starts.
      await new Promise((r) => setTimeout(r, 900));
      const before = hub.log.length;
      const r = await fetchBlob(hubHttp(hub), { ...req, location: meta.downloadUrl as string }, { signal: new AbortController().signal, connections });
      expect(sha256(r.path)).toBe(req.etag);
      const log = hub.log.slice(before);
      const handed = new URL(meta.downloadUrl as string);
      // The handed link was tried first (and refused), then the file resolved again.
      expect(log[0]).toMatchObject({ origin: 'cdn', url: handed.pathname + handed.search });
      expect(log.filter((l) => l.origin === 'api' && l.url.includes('/resolve/')).length).toBeGreaterThanOrEqual(1);
      fs.rmSync(r.path);
    }
  });

  it('a refused handed link does not use up the one refresh of a one-connection transfer', async () => {
    // One connection at 8 MB/s takes ~2 s for 16 MiB, links live 0.8 s: the handed link is refused
    // at once, the resolved one streams until a cut at 12 MiB (~1.6 s), and the retry finds it
    // expired. That refusal is the transfer's own refresh, which the handed link must not have spent.
    const hub = await fakeHub({ repos: [repo()], link: { urlTtlMs: 800, perConnection: 8e6 } });
    const req = await blobRequest(hub, 'acme/big', 'mid.bin');
    const meta = await fileMetadata(hubHttp(hub), { type: 'model', id: 'acme/big' }, 'main', 'mid.bin');
    const handed = (meta.downloadUrl as string).replace(/expires=\d+/, 'expires=1');
    // Faults are taken per request (the handed link's refusal takes one).
    hub.faults.add({ kind: 'drop', origin: 'cdn', afterBytes: 12 * MiB, times: 4 });
    const before = hub.log.length;
    // A file below the parallel threshold: one connection, one stream, no per-range resolving.
    const r = await fetchBlob(
      hubHttp(hub),
      { ...req, location: handed },
      { signal: new AbortController().signal, connections: 1, parallelThreshold: 64 * MiB, sleep: async () => undefined },
    );
    expect(sha256(r.path)).toBe(req.etag);
    const cdn = hub.log.slice(before).filter((l) => l.origin === 'cdn' && l.method === 'GET');
    // handed (refused), resolved (cut), resolved again after its refusal (finished)
    expect(new Set(cdn.map((l) => new URL(l.url, 'http://cdn').searchParams.get('expires'))).size).toBeGreaterThanOrEqual(3);
  });

  it('lands the right bytes when the handed link is refused at once and the resolved link expires mid-transfer on several connections', async () => {
    // Links live 0.4 s and two connections capped at 8 MB/s take ~1 s for 16 MiB: the link the
    // transfer resolves expires while ranges are still to open, and each range resolves it again.
    const hub = await fakeHub({ repos: [repo()], link: { urlTtlMs: 400, perConnection: 8e6 } });
    const req = await blobRequest(hub, 'acme/big', 'mid.bin');
    const meta = await fileMetadata(hubHttp(hub), { type: 'model', id: 'acme/big' }, 'main', 'mid.bin');
    // The handed link is already past its expiry: refused on its first request, no waiting.
    const handed = (meta.downloadUrl as string).replace(/expires=\d+/, 'expires=1');
    const before = hub.log.length;
    const token = 'hf_alice_read_token_0000000000000000';
    const r = await fetchBlob(hubHttp(hub, { token }), { ...req, location: handed }, { signal: new AbortController().signal, connections: 2 });
    expect(sha256(r.path)).toBe(req.etag);
    const log = hub.log.slice(before);
    const cdn = log.filter((l) => l.origin === 'cdn' && l.method === 'GET');
    // The handed link first; then the link resolved after it, and at least one more once that expired.
    expect(cdn[0]?.url).toBe(new URL(handed).pathname + new URL(handed).search);
    expect(new Set(cdn.map((l) => new URL(l.url, 'http://cdn').searchParams.get('expires'))).size).toBeGreaterThanOrEqual(3);
    expect(log.filter((l) => l.origin === 'api' && l.url.includes('/resolve/')).length).toBeGreaterThanOrEqual(2);
    // The user's token went to the Hub's resolves, never to the download host.
    expect(log.filter((l) => l.origin === 'api').every((l) => l.headers.authorization === `Bearer ${token}`)).toBe(true);
    expect(cdn.every((l) => l.headers.authorization === undefined)).toBe(true);
    fs.rmSync(r.path);
  });
});

describe('the plans’ links kept for their runs', () => {
  it('drop links no run took once they are stale, keeping fresh ones', () => {
    const links = new Map<string, { url: string; at: number }>();
    const t = 1_000_000_000;
    rememberLink(links, 'a', 'https://cdn/a', t);
    rememberLink(links, 'b', 'https://cdn/b', t + 4 * 60_000);
    rememberLink(links, 'c', 'https://cdn/c', t + 5 * 60_000);
    expect([...links.keys()]).toEqual(['b', 'c']);
    rememberLink(links, 'b', 'https://cdn/b2', t + 6 * 60_000);
    expect(links.get('b')).toEqual({ url: 'https://cdn/b2', at: t + 6 * 60_000 });
    for (let i = 0; i < 1000; i++) rememberLink(links, `x${i}`, 'u', t + 20 * 60_000 + i);
    rememberLink(links, 'last', 'u', t + 40 * 60_000);
    expect([...links.keys()]).toEqual(['last']);
  });
});
