/** The CAS read token: both forms, refusals, refresh before expiry, and never a Hub token elsewhere. */
import { describe, expect, it } from 'vitest';
import { HubHttp } from '../../src-main/hub/http';
import { XetDataError } from '../../src-main/xet/errors';
import { parseToken, XetTokenSource } from '../../src-main/xet/token';

describe('parseToken', () => {
  it('reads the JSON body, else the X-Xet-* headers', () => {
    expect(parseToken({ accessToken: 'a', casUrl: 'https://cas.example/', exp: 5 }, new Headers())).toEqual({
      accessToken: 'a',
      casUrl: 'https://cas.example',
      exp: 5,
    });
    const h = new Headers({ 'x-xet-access-token': 'b', 'x-xet-cas-url': 'http://127.0.0.2:9', 'x-xet-token-expiration': '7' });
    expect(parseToken(null, h)).toEqual({ accessToken: 'b', casUrl: 'http://127.0.0.2:9', exp: 7 });
  });

  it('refuses answers without a usable token, CAS address or expiry', () => {
    for (const body of [
      {},
      { accessToken: 'a', casUrl: 'ftp://x', exp: 5 },
      { accessToken: 'a b', casUrl: 'https://x', exp: 5 },
      { accessToken: 'a', casUrl: 'https://x', exp: -1 },
    ])
      expect(() => parseToken(body, new Headers())).toThrow(XetDataError);
  });
});

describe('XetTokenSource', () => {
  const hub = (calls: string[], exp: () => number) =>
    new HubHttp({
      endpoint: 'https://hub.example',
      token: () => 'hf_user',
      offline: () => false,
      fetch: (async (url: string, init?: RequestInit) => {
        calls.push(`${url} ${new Headers(init?.headers).get('authorization') ?? ''}`);
        return new Response(JSON.stringify({ accessToken: `t${calls.length}`, casUrl: 'https://cas.example', exp: exp() }), { status: 200 });
      }) as typeof fetch,
    });

  it('keeps a token until a minute before it expires, then asks again (the Hub token only to the Hub)', async () => {
    const calls: string[] = [];
    let now = 1_000_000_000;
    const src = new XetTokenSource(
      hub(calls, () => now / 1000 + 120),
      'https://hub.example/api/models/a/b/xet-read-token/main',
      () => now,
    );
    const signal = new AbortController().signal;
    const first = await src.get(signal);
    expect((await src.get(signal)).accessToken).toBe(first.accessToken);
    now += 61_000;
    expect((await src.get(signal)).accessToken).not.toBe(first.accessToken);
    const again = await src.get(signal);
    expect((await src.get(signal, again)).accessToken).not.toBe(again.accessToken);
    expect(calls.every((c) => c === 'https://hub.example/api/models/a/b/xet-read-token/main Bearer hf_user')).toBe(true);
  });

  it('refuses a read-token link to another host', () => {
    expect(
      () =>
        new XetTokenSource(
          hub([], () => 0),
          'https://evil.example/xet-read-token',
        ),
    ).toThrow(/another host/);
  });
});
