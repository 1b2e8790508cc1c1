/** HubHttp's token rule, hop by hop: the token goes to the Hub's own origin and nowhere else, whatever the redirects say. */
import { describe, expect, it } from 'vitest';
import { HubHttp } from '../../src-main/hub/http';
import { HubError } from '../../src-main/hub/errors';

const HUB = 'https://hub.example';
const TOKEN = 'hf_secret_token_000000000000000000';

/** A fetch that answers from a table of URL → redirect target (or 200), recording what each hop was sent. */
function stub(routes: Record<string, string | null>) {
  const seen: { url: string; authorization: string | null; method: string }[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    seen.push({ url, authorization: headers.get('authorization'), method: init?.method ?? 'GET' });
    expect(init?.redirect).toBe('manual');
    const to = routes[url];
    if (to === undefined) return new Response('missing', { status: 404 });
    if (to === null) return new Response('ok', { status: 200 });
    return new Response(null, { status: 302, headers: { location: to } });
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

function http(fetch: typeof globalThis.fetch, token: string | null = TOKEN): HubHttp {
  return new HubHttp({ endpoint: HUB, token: () => token, offline: () => false, fetch });
}

describe('HubHttp token origin', () => {
  it('sends the token to the Hub and never to the download host it redirects to', async () => {
    const s = stub({ [`${HUB}/a/resolve/main/x.gguf`]: 'https://cdn.example/blob?sig=1', 'https://cdn.example/blob?sig=1': null });
    await http(s.fetch).fetch(`${HUB}/a/resolve/main/x.gguf`);
    expect(s.seen.map((h) => [new URL(h.url).host, h.authorization])).toEqual([
      ['hub.example', `Bearer ${TOKEN}`],
      ['cdn.example', null],
    ]);
  });

  it('decides per hop: a redirect back to the Hub carries it again, one to another scheme or port does not', async () => {
    const s = stub({
      [`${HUB}/start`]: 'https://cdn.example/one',
      'https://cdn.example/one': `${HUB}/again`,
      [`${HUB}/again`]: 'http://hub.example/plain',
      'http://hub.example/plain': 'https://hub.example:8443/port',
      'https://hub.example:8443/port': '/relative',
      'https://hub.example:8443/relative': null,
    });
    await http(s.fetch).fetch(`${HUB}/start`);
    expect(s.seen.map((h) => [h.url, h.authorization !== null])).toEqual([
      [`${HUB}/start`, true],
      ['https://cdn.example/one', false],
      [`${HUB}/again`, true],
      ['http://hub.example/plain', false],
      ['https://hub.example:8443/port', false],
      ['https://hub.example:8443/relative', false],
    ]);
  });

  it('keeps it on a same-origin redirect (a renamed repo)', async () => {
    const s = stub({ [`${HUB}/old/resolve/main/c.json`]: '/new/resolve/main/c.json', [`${HUB}/new/resolve/main/c.json`]: null });
    await http(s.fetch).fetch(`${HUB}/old/resolve/main/c.json`);
    expect(s.seen.every((h) => h.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('treats a protocol-relative Location as the other host it names', async () => {
    const s = stub({ [`${HUB}/x`]: '//evil.example/steal', 'https://evil.example/steal': null });
    await http(s.fetch).fetch(`${HUB}/x`);
    expect(s.seen[1]).toMatchObject({ url: 'https://evil.example/steal', authorization: null });
  });

  it("drops a caller's own Authorization header anywhere but the Hub", async () => {
    const s = stub({ 'https://cdn.example/direct': null });
    await http(s.fetch).fetch('https://cdn.example/direct', { headers: { Authorization: 'Bearer leaked' } });
    expect(s.seen[0]?.authorization).toBeNull();
    const anonymous = stub({ [`${HUB}/api/models`]: null });
    await http(anonymous.fetch, null).fetch(`${HUB}/api/models`, { headers: { Authorization: 'Bearer leaked' } });
    expect(anonymous.seen[0]?.authorization).toBeNull();
  });

  it('stops after ten hops, and refuses a redirect to something that is not http(s)', async () => {
    const loop: Record<string, string> = {};
    for (let i = 0; i < 20; i++) loop[`${HUB}/r${i}`] = `${HUB}/r${i + 1}`;
    const s = stub(loop);
    const e = await http(s.fetch)
      .fetch(`${HUB}/r0`)
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HubError);
    expect((e as HubError).message).toBe('Too many redirects (more than 10) from hub.example.');
    expect(s.seen).toHaveLength(11);

    const f = stub({ [`${HUB}/file`]: 'file:///etc/passwd' });
    const refused = await http(f.fetch)
      .fetch(`${HUB}/file`)
      .catch((x: unknown) => x);
    expect((refused as HubError).message).toMatch(/redirected to an address Hubcap will not follow/);
    expect(f.seen).toHaveLength(1);
  });
});
