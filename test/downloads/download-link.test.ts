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
