/** The CAS token goes only to the CAS the Hub named, never the Hub token; the batch says how files travel. */
import { describe, expect, it } from 'vitest';
import { XetRoute, isDedupQuery, isXorbPost } from '../../src-main/publish/xet-route';

const batch = (transfer: string, cas?: string) =>
  new Response(
    JSON.stringify({
      transfer,
      objects: [
        {
          oid: 'a'.repeat(64),
          size: 1,
          actions: { upload: { href: 'https://hub.test/api/models/u/r/xet-write-token/main', header: cas ? { 'X-Xet-Cas-Url': cas } : {} } },
        },
      ],
    }),
    { headers: { 'content-type': 'application/vnd.git-lfs+json' } },
  );

describe('XetRoute', () => {
  it('learns the CAS from the LFS batch and the write-token answer, and only there keeps the CAS token', async () => {
    const r = new XetRoute('hf_secret');
    expect(r.isCas('https://cas.test/v1/shards')).toBe(false);
    await r.observe('https://hub.test/u/r.git/info/lfs/objects/batch', batch('xet', 'https://cas.test'));
    expect(r.via).toBe('xet');
    expect(r.isCas('https://cas.test/v1/xorbs/default/' + 'b'.repeat(64))).toBe(true);
    expect(r.isCas('https://elsewhere.test/v1/shards')).toBe(false);
    await r.observe(
      'https://hub.test/api/models/u/r/xet-write-token/main',
      new Response(JSON.stringify({ casUrl: 'https://cas2.test', accessToken: 'x', exp: 1 })),
    );
    expect(r.isCas('https://cas2.test/v1/shards')).toBe(true);
    const h = r.casHeaders('https://cas.test/v1/shards', { headers: { Authorization: 'Bearer xet_cas' } }, 'ua');
    expect(h.get('authorization')).toBe('Bearer xet_cas');
    // The Hub token never rides to the CAS, even if something put it there.
    expect(r.casHeaders('https://cas.test/v1/shards', { headers: { Authorization: 'Bearer hf_secret' } }, 'ua').get('authorization')).toBeNull();
    expect(() => r.casHeaders('https://elsewhere.test/v1/shards', {}, 'ua')).toThrow(/not the CAS/);
  });

  it('a basic or multipart batch is plain LFS and names no CAS', async () => {
    const r = new XetRoute(null);
    await r.observe('https://hub.test/u/r.git/info/lfs/objects/batch', batch('basic', 'https://cas.test'));
    expect(r.via).toBe('lfs');
    expect(r.isCas('https://cas.test/v1/shards')).toBe(false);
  });

  it('counts the xorbs posted and tells xorb posts and dedup queries apart', () => {
    const r = new XetRoute(null);
    r.noteXorb({ method: 'POST', body: new Uint8Array(1000) });
    r.noteXorb({ method: 'POST', body: new Uint8Array(24) });
    expect([r.xorbs, r.xorbBytes]).toEqual([2, 1024]);
    expect(isXorbPost('https://cas.test/v1/xorbs/default/ab', { method: 'POST' })).toBe(true);
    expect(isXorbPost('https://cas.test/v1/shards', { method: 'POST' })).toBe(false);
    expect(isDedupQuery('https://cas.test/v1/chunks/default/ab', {})).toBe(true);
  });
});
