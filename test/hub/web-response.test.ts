/**
 * hub/web-response.ts's Headers and Response answer as Node's own (undici's) do, side by side,
 * wherever a caller or @huggingface/hub could look: names, combined values, set-cookie, order,
 * refused names and values, and bodies read once, cloned, decoded.
 */
import { describe, expect, it } from 'vitest';
import { HubHeaders, HubResponse, incomingHeaders, wireHeaders } from '../../src-main/hub/web-response';

const stream = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(new TextEncoder().encode(p));
      c.close();
    },
  });

/** Every observable of a Headers, in one value to compare. */
const seen = (h: Headers) => ({
  entries: [...h],
  keys: [...h.keys()],
  values: [...h.values()],
  each: (() => {
    const out: string[] = [];
    h.forEach((v, k) => out.push(`${k}=${v}`));
    return out;
  })(),
  get: ['content-type', 'X-Multi', 'set-cookie', 'absent'].map((n) => h.get(n)),
  has: ['CONTENT-TYPE', 'absent'].map((n) => h.has(n)),
  cookies: h.getSetCookie(),
});

describe('HubHeaders', () => {
  it('behaves as fetch’s Headers for records, pairs, another Headers, and every change', () => {
    const inits: ConstructorParameters<typeof HubHeaders>[0][] = [
      undefined,
      { 'Content-Type': 'text/plain', 'x-multi': ' padded\t' },
      [
        ['X-Multi', 'a'],
        ['x-multi', 'b'],
        ['Set-Cookie', 'a=1'],
        ['set-cookie', 'b=2'],
        ['Zeta', 'z'],
        ['alpha', ''],
      ],
      new Headers([['X-From', 'undici']]),
    ];
    for (const init of inits) {
      const ours = new HubHeaders(init);
      const theirs = new Headers(init as HeadersInit);
      expect(seen(ours), JSON.stringify(init)).toEqual(seen(theirs));
      for (const h of [ours, theirs]) {
        h.append('x-multi', 'c');
        h.set('Content-Type', 'application/json');
        h.delete('ZETA');
      }
      expect(seen(ours)).toEqual(seen(theirs));
    }
    // Each other's input.
    expect(seen(new Headers(new HubHeaders({ A: '1' })))).toEqual(seen(new HubHeaders(new Headers({ A: '1' }))));
  });

  it('refuses what fetch refuses, with a TypeError', () => {
    const bad: [string, string][] = [
      ['bad name', 'v'],
      ['', 'v'],
      ['x', 'a\r\nInjected: 1'],
      ['x', 'nul\0'],
      ['x', 'wide ☃'],
    ];
    for (const [n, v] of bad) {
      expect(() => new Headers([[n, v]]), `${n}: ${v}`).toThrow(TypeError);
      expect(() => new HubHeaders([[n, v]]), `${n}: ${v}`).toThrow(TypeError);
      expect(() => new HubHeaders().set(n, v)).toThrow(TypeError);
    }
    expect(() => new HubHeaders([['only-a-name']])).toThrow(TypeError);
    // Latin-1 is a ByteString, as fetch allows.
    expect(new HubHeaders({ x: 'caf\xe9' }).get('x')).toBe(new Headers({ x: 'caf\xe9' }).get('x'));
  });
});

describe('headers off the wire', () => {
  it('keeps what fetch would and drops a pair it refuses, instead of failing on it', () => {
    const h = wireHeaders([
      ['Retry-After', '5'],
      ['bad name', 'x'],
      ['x-ok', 'a\u0000b'],
      ['x-ok', 'c'],
    ]);
    expect([...h]).toEqual([
      ['retry-after', '5'],
      ['x-ok', 'c'],
    ]);
    expect([...incomingHeaders({ 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain', gone: undefined })]).toEqual([
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
  });
});

describe('HubResponse', () => {
  it('reads a body once, as text, JSON, bytes or a Blob with its type, like fetch’s Response', async () => {
    const make = () => [
      new HubResponse(stream('{"a":', '1}'), { status: 200, headers: { 'content-type': 'application/json' }, url: 'https://hub.example/x' }),
      new Response(stream('{"a":', '1}'), { status: 200, headers: { 'content-type': 'application/json' } }),
    ];
    for (const r of make()) {
      expect(r.bodyUsed).toBe(false);
      expect(await r.json()).toEqual({ a: 1 });
      expect(r.bodyUsed).toBe(true);
      await expect(r.text()).rejects.toThrow(TypeError);
      expect(() => r.clone()).toThrow(TypeError);
    }
    const [ours, theirs] = make() as [Response, Response];
    expect(new Uint8Array(await ours.arrayBuffer())).toEqual(new Uint8Array(await theirs.arrayBuffer()));
    const [a, b] = make() as [Response, Response];
    const [blobA, blobB] = [await a.blob(), await b.blob()];
    expect([blobA.type, blobA.size, await blobA.text()]).toEqual([blobB.type, blobB.size, await blobB.text()]);
    const [c] = make() as [Response];
    expect(c.url).toBe('https://hub.example/x');
    expect([c.status, c.ok, c.statusText, c.type, c.redirected]).toEqual([200, true, '', 'basic', false]);
    expect(String(c)).toBe('[object Response]');
  });

  it('decodes UTF-8 and drops a leading BOM, as fetch does', async () => {
    const body = () => stream('\ufeffcaf', 'é ✓');
    expect(await new HubResponse(body(), { status: 200 }).text()).toBe(await new Response(body()).text());
  });

  it('a null body reads as empty; a locked body counts as used', async () => {
    const empty = new HubResponse(null, { status: 204 });
    expect([empty.body, empty.ok, await empty.text()]).toEqual([null, true, '']);
    const r = new HubResponse(stream('x'), { status: 404, statusText: 'Not Found' });
    expect([r.ok, r.statusText]).toEqual([false, 'Not Found']);
    const reader = r.body?.getReader();
    expect(r.bodyUsed).toBe(true);
    reader?.releaseLock();
  });

  it('a clone reads the same bytes as the original, each on its own, with its own headers', async () => {
    const r = new HubResponse(stream('one ', 'two'), { status: 201, headers: { etag: '"x"' }, url: 'u' });
    const copy = r.clone();
    copy.headers.set('etag', '"changed"');
    expect(await copy.text()).toBe('one two');
    expect(await r.text()).toBe('one two');
    expect([copy.status, copy.url, r.headers.get('etag')]).toEqual([201, 'u', '"x"']);
  });

  it('reads a form through fetch’s own, the one reader it lends', async () => {
    const form = await new HubResponse(stream('a=1&b=two'), { status: 200, headers: { 'content-type': 'application/x-www-form-urlencoded' } }).formData();
    expect([form.get('a'), form.get('b')]).toEqual(['1', 'two']);
  });

  it('refuses a status no response can have', () => {
    for (const status of [0, 101, 199, 600, 200.5]) expect(() => new HubResponse(null, { status })).toThrow(RangeError);
  });
});
